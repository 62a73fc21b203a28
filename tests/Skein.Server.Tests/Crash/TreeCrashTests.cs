using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Core.Steps;
using Skein.Server.Api.Contracts;
using Skein.Testing;

namespace Skein.Server.Tests.Crash;

/// <summary>
/// Run trees survive SIGKILL (SPEC section 9): many sessions whose parents dispatch three children in Parallel, the
/// server killed repeatedly while children run and started again on the same SQLite file. Every session finishes,
/// no child is dispatched twice or lost, no step is lost or repeated.
/// </summary>
[RunsLong(25, Slots = 2)]
public sealed class TreeCrashTests
{
    private const int Sessions = 12;
    private const int ChildrenPerParent = 3;
    private const int Kills = 3;

    [Fact]
    public async Task Trees_killed_repeatedly_while_children_run_all_finish_with_each_child_once()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var scenario = await CrashScenario.StartAsync(cancellationToken);
        var worker = "worker-" + Guid.NewGuid().ToString("N")[..6];
        var child = await TestData.CreateAgentAsync(
            scenario.Contexts,
            new AgentSpec
            {
                Name = worker,
                Mode = ExecutionMode.SubAgent,
                Description = "works slowly",
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "thinking",
                        DelayMs = 1500,
                        ToolCalls =
                        [
                            new ScriptToolCall("skein_echo", JsonSerializer.SerializeToElement(new { n = 1 })),
                        ],
                    },
                    new ScriptTurn { Text = "worked", DelayMs = 1500 },
                ],
                Operations = ["skein_echo"],
            },
            cancellationToken
        );
        var calls = Enumerable
            .Range(1, ChildrenPerParent)
            .Select(i => new ScriptToolCall(
                "subagent_" + worker,
                JsonSerializer.SerializeToElement(new { input = $"part {i}" })
            ))
            .ToList();
        var parent = await TestData.CreateAgentAsync(
            scenario.Contexts,
            new AgentSpec
            {
                AllowedSubAgents = [child.AgentId],
                SubAgentExecutionModel = SubAgentExecutionModel.Parallel,
                Script =
                [
                    new ScriptTurn { Text = "splitting", ToolCalls = calls },
                    new ScriptTurn { Text = "all parts done" },
                ],
            },
            cancellationToken
        );

        var sessions = new List<Guid>();
        for (var i = 0; i < Sessions; i++)
        {
            sessions.Add((await scenario.StartRunAsync(parent.AgentId, cancellationToken)).SessionId);
        }

        var killed = 0;
        for (var kill = 0; kill < Kills; kill++)
        {
            // Kill while a child is at work (its model turn is slow); stop killing once every tree finished.
            if (!await AnyChildAtWorkAsync(scenario, sessions, cancellationToken))
            {
                break;
            }

            scenario.Server.Kill();
            killed++;
            await scenario.StartServerAsync(cancellationToken);
        }

        Assert.True(killed >= 2, $"the server was killed {killed} times while children ran");

        foreach (var sessionId in sessions)
        {
            var detail = await scenario.WaitForEndAsync(sessionId, cancellationToken);
            AssertWholeTree(detail);
        }
    }

    private static async Task<bool> AnyChildAtWorkAsync(
        CrashScenario scenario,
        IReadOnlyList<Guid> sessions,
        CancellationToken cancellationToken
    )
    {
        var deadline = DateTime.UtcNow + CrashScenario.Deadline;
        while (DateTime.UtcNow < deadline)
        {
            var finished = 0;
            foreach (var id in sessions)
            {
                var detail = await scenario.Server.Client.GetFromJsonAsync<SessionDetailDto>(
                    $"/api/sessions/{id}",
                    JsonSerializerOptions.Web,
                    cancellationToken
                );
                if (detail!.Runs.Any(r => r.Depth == 1 && r.Status == "Running"))
                {
                    return true;
                }

                finished += detail.Session.Status is "Completed" or "Failed" ? 1 : 0;
            }

            if (finished == sessions.Count)
            {
                return false;
            }

            await Task.Delay(50, cancellationToken);
        }

        return false;
    }

    private static void AssertWholeTree(SessionDetailDto detail)
    {
        Assert.Equal("Completed", detail.Session.Status);
        var root = Assert.Single(detail.Runs, r => r.Depth == 0);
        var children = detail.Runs.Where(r => r.ParentRunId == root.Id).ToList();
        Assert.Equal(ChildrenPerParent, children.Count);
        Assert.Equal(ChildrenPerParent + 1, detail.Runs.Count);
        Assert.All(children, c => Assert.Equal("Completed", c.Status));

        var rootSteps = detail.Steps.Where(s => s.RunId == root.Id).ToList();
        var dispatched = rootSteps
            .Where(s => s.Type == StepType.SubAgentCall)
            .Select(s => s.Content.GetProperty("child_run_id").GetGuid())
            .ToList();
        var reported = rootSteps
            .Where(s => s.Type == StepType.SubAgentResult)
            .Select(s => s.Content.GetProperty("child_run_id").GetGuid())
            .ToList();
        Assert.Equal(children.Select(c => c.Id).Order(), dispatched.Order());
        Assert.Equal(children.Select(c => c.Id).Order(), reported.Order());

        foreach (var run in detail.Runs)
        {
            var steps = detail.Steps.Where(s => s.RunId == run.Id).Select(s => s.Sequence).ToList();
            Assert.Equal(Enumerable.Range(1, steps.Count), steps);
        }

        Assert.Equal(detail.Steps.Select(s => s.EventSequence).Distinct().Count(), detail.Steps.Count);
    }
}
