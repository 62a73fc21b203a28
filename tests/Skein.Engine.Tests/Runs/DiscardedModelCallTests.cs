using Microsoft.Extensions.DependencyInjection;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Engine.Sessions;
using Skein.Testing;

namespace Skein.Engine.Tests.Runs;

/// <summary>
/// A model call whose turn a message interrupted (<c>midRunMessages: interrupt</c>) still spent tokens: its answer is
/// not used, but it is recorded with its usage and counted in the totals (SPEC section 12: never a silent 0).
/// </summary>
public class DiscardedModelCallTests : EngineTestBase
{
    [Fact]
    public async Task An_answer_that_comes_after_an_interrupting_message_is_recorded_with_its_usage_and_not_used()
    {
        var clock = TestClock.Create();
        await UseHostAsync(clock);
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "an answer nobody wants now",
                        DelayMs = 60_000,
                        InputTokens = 8,
                        OutputTokens = 2,
                    },
                ],
            }
        );
        var started = await Host.StartRunAsync(agent.AgentId);
        await Eventually.Get(
            async () => (await Host.Queries.GetAsync(started.SessionId, CancellationToken.None))!,
            d => d.Steps.Any(s => s.Type == StepType.LlmRequestPrepared),
            what: "the model call to start"
        );

        // The message is committed while the model answers, and its interrupt comes too late to cancel the call (the
        // race SessionActions cannot rule out): here it never comes at all.
        var commands = Host.Services.GetRequiredService<SessionCommands>();
        var appended = await commands.ExecuteAsync(
            started.SessionId,
            c =>
                SessionDecider.AppendStep(
                    c,
                    started.RunId,
                    new StepDraft(new UserMessageStep("stop, do this instead") { Iteration = 1 }),
                    clock.GetUtcNow(),
                    "user:test"
                ),
            CancellationToken.None
        );
        Assert.True(appended.Ok, appended.Error?.Message);

        var detail = await Eventually.Get(
            async () =>
            {
                clock.Advance(TimeSpan.FromSeconds(61));
                return (await Host.Queries.GetAsync(started.SessionId, CancellationToken.None))!;
            },
            d => d.Session.Status != "Running",
            what: "both model calls to answer"
        );

        Assert.Equal("Completed", detail.Session.Status);
        Assert.Equal(
            [
                StepType.LlmRequestPrepared,
                StepType.UserMessage,
                StepType.ModelCallDiscarded,
                StepType.LlmRequestPrepared,
                StepType.Reasoning,
                StepType.Output,
            ],
            detail.Steps.OrderBy(s => s.Sequence).Select(s => s.Type)
        );
        var discarded = SkeinJson.Parse(detail.Steps.Single(s => s.Type == StepType.ModelCallDiscarded).Content);
        Assert.Equal(ModelCallDiscardedStep.Superseded, discarded.GetProperty("reason").GetString());
        var answer = discarded.GetProperty("answer");
        Assert.Equal("an answer nobody wants now", answer.GetProperty("message").GetString());
        Assert.Equal(8, answer.GetProperty("input_tokens").GetInt64());
        Assert.Equal(2, answer.GetProperty("output_tokens").GetInt64());
        Assert.False(answer.TryGetProperty("usage_missing", out _));

        // Both calls count: the discarded one and the turn that read the message.
        Assert.Equal(20, detail.Runs.Single().TotalTokensUsed);
        Assert.Equal(20, detail.Session.TotalTokensUsed);
    }
}
