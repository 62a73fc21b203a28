using Microsoft.Extensions.DependencyInjection;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Tools;
using Skein.Core.UserTasks;
using Skein.Engine.Tools;
using Skein.Store.Sessions;
using Skein.Testing;

namespace Skein.Engine.Tests.UserTasks;

public class AskUserTests : EngineTestBase
{
    private async Task<(Guid SessionId, Guid TaskId)> AskAsync(
        string tool,
        object args,
        ExecutionMode mode = ExecutionMode.HITL
    )
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Mode = mode,
                Operations = [tool],
                Script = [Calls((tool, args)), Says("thanks")],
            }
        );
        var started = await Host.StartRunAsync(agent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForHITL");
        var task = Assert.Single(
            await Host
                .Services.GetRequiredService<UserTaskQueries>()
                .ForSessionAsync(started.SessionId, CancellationToken.None)
        );
        return (started.SessionId, task.Id);
    }

    private async Task<System.Text.Json.JsonElement> AnsweredResultAsync(Guid sessionId)
    {
        var detail = await Host.WaitForStatusAsync(sessionId, "Completed");
        return Content(detail.Steps.Single(s => s.Type == "ToolResult")).GetProperty("result");
    }

    [Fact]
    public async Task A_multi_option_question_returns_the_chosen_option()
    {
        var (sessionId, taskId) = await AskAsync(
            AskUserTools.Choice,
            new
            {
                question = "Ship how?",
                options = new[] { new { id = "air", label = "By air" }, new { id = "sea", label = "By sea" } },
            }
        );

        var bad = await Host.Actions.AnswerTaskAsync(
            taskId,
            null,
            new UserTaskAnswer { SelectedOptionId = "rail" },
            "ann",
            CancellationToken.None
        );
        Assert.Equal(DomainErrorCodes.InvalidInput, bad.Error?.Code);
        var ok = await Host.Actions.AnswerTaskAsync(
            taskId,
            null,
            new UserTaskAnswer { SelectedOptionId = "sea" },
            "ann",
            CancellationToken.None
        );
        Assert.True(ok.Ok);

        var result = await AnsweredResultAsync(sessionId);
        Assert.Equal("sea", result.GetProperty("data").GetProperty("selected_option_id").GetString());
        Assert.Equal("By sea", result.GetProperty("data").GetProperty("label").GetString());
    }

    [Fact]
    public async Task A_text_question_needs_a_non_empty_answer()
    {
        var (sessionId, taskId) = await AskAsync(AskUserTools.Text, new { question = "Why?" });

        Assert.Equal(
            DomainErrorCodes.InvalidInput,
            (
                await Host.Actions.AnswerTaskAsync(
                    taskId,
                    null,
                    new UserTaskAnswer { TextValue = " " },
                    "ann",
                    CancellationToken.None
                )
            )
                .Error
                ?.Code
        );
        Assert.True(
            (
                await Host.Actions.AnswerTaskAsync(
                    taskId,
                    null,
                    new UserTaskAnswer { TextValue = "because" },
                    "ann",
                    CancellationToken.None
                )
            ).Ok
        );

        Assert.Equal(
            "because",
            (await AnsweredResultAsync(sessionId)).GetProperty("data").GetProperty("value").GetString()
        );
    }

    [Fact]
    public async Task A_number_question_needs_a_number_within_its_range()
    {
        var (sessionId, taskId) = await AskAsync(
            AskUserTools.Number,
            new
            {
                question = "How many?",
                min = 1,
                max = 10,
            }
        );

        Assert.Equal(
            DomainErrorCodes.InvalidInput,
            (
                await Host.Actions.AnswerTaskAsync(
                    taskId,
                    null,
                    new UserTaskAnswer { TextValue = "lots" },
                    "ann",
                    CancellationToken.None
                )
            )
                .Error
                ?.Code
        );
        Assert.Equal(
            DomainErrorCodes.InvalidInput,
            (
                await Host.Actions.AnswerTaskAsync(
                    taskId,
                    null,
                    new UserTaskAnswer { NumberValue = 11 },
                    "ann",
                    CancellationToken.None
                )
            )
                .Error
                ?.Code
        );
        Assert.True(
            (
                await Host.Actions.AnswerTaskAsync(
                    taskId,
                    null,
                    new UserTaskAnswer { NumberValue = 7 },
                    "ann",
                    CancellationToken.None
                )
            ).Ok
        );

        Assert.Equal(7, (await AnsweredResultAsync(sessionId)).GetProperty("data").GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task A_request_mode_agent_cannot_ask_a_person()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [AskUserTools.Text],
                Script = [Calls((AskUserTools.Text, new { question = "Why?" })), Says("ok")],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var result = Content(detail.Steps.Single(s => s.Type == "ToolResult")).GetProperty("result");
        Assert.Equal(ToolPolicy.AskNeedsHitl, result.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_answer_for_a_task_of_another_run_is_not_found()
    {
        var (_, taskId) = await AskAsync(AskUserTools.Text, new { question = "Why?" });

        var answered = await Host.Actions.AnswerTaskAsync(
            taskId,
            Guid.NewGuid(),
            new UserTaskAnswer { TextValue = "x" },
            "ann",
            CancellationToken.None
        );

        Assert.Equal(DomainErrorCodes.NotFound, answered.Error?.Code);
    }
}
