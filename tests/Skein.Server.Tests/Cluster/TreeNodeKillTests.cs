using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;
using Skein.Core.Steps;
using Skein.Store.Sessions;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Server.Tests.Cluster;

/// <summary>
/// Run trees survive SIGKILL on a cluster (SPEC section 9, issue #14): two nodes on one PostgreSQL database, the one
/// holding child runs killed repeatedly (and started again) while those children work; the survivor and the restarted
/// node take over the orphaned leases. Every session finishes, each child is dispatched and reported exactly once,
/// and no step or event is lost or repeated. The SQLite twin is <see cref="Crash.TreeCrashTests"/>.
/// </summary>
[RunsLong(55, Slots = 2)]
public sealed class TreeNodeKillTests
{
    private const int SessionsPerWave = 4;
    private const int ChildrenPerParent = 3;
    private const int Kills = 3;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_postgres_nodes_one_killed_repeatedly_while_children_run_finish_every_tree_once()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var cluster = await ClusterScenario.CreateAsync(StoreKind.Postgres, cancellationToken);
        var victim = await cluster.StartNodeAsync(cancellationToken);
        var survivor = await cluster.StartNodeAsync(cancellationToken);
        var parentId = await CreateTreeAgentsAsync(cluster, cancellationToken);

        // A wave on each node; after every restart a new wave on the restarted node, so it always dies holding
        // children at work.
        var sessions = new List<Guid>();
        sessions.AddRange(await StartWaveAsync(survivor, parentId, cancellationToken));
        sessions.AddRange(await StartWaveAsync(victim, parentId, cancellationToken));
        var killedHolding = 0;
        for (var kill = 0; kill < Kills; kill++)
        {
            if (await ChildAtWorkOnAsync(cluster, victim, cancellationToken))
            {
                killedHolding++;
            }

            victim.Kill();
            victim = await cluster.StartNodeAsync(cancellationToken);
            if (kill < Kills - 1)
            {
                sessions.AddRange(await StartWaveAsync(victim, parentId, cancellationToken));
            }
        }

        Assert.True(killedHolding >= 2, $"the node died holding working children {killedHolding} times of {Kills}");
        foreach (var sessionId in sessions)
        {
            var detail = await WaitForEndAsync(cluster, sessionId, cancellationToken);
            AssertWholeTree(detail);
            var events = await cluster.EventSequencesAsync(sessionId, cancellationToken);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(n => (long)n), events);
        }
    }

    /// <summary>A sub-agent whose two turns are slow (so kills land mid-child) and a parent that dispatches three
    /// calls to it in Parallel, then answers.</summary>
    private static async Task<Guid> CreateTreeAgentsAsync(ClusterScenario cluster, CancellationToken cancellationToken)
    {
        var worker = "worker-" + Guid.NewGuid().ToString("N")[..6];
        var child = await TestData.CreateAgentAsync(
            cluster.Contexts,
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
                        DelayMs = 1000,
                        ToolCalls =
                        [
                            new ScriptToolCall("skein_echo", JsonSerializer.SerializeToElement(new { n = 1 })),
                        ],
                    },
                    new ScriptTurn { Text = "worked", DelayMs = 1000 },
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
            cluster.Contexts,
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
        return parent.AgentId;
    }

    private static async Task<List<Guid>> StartWaveAsync(
        ServerProcess node,
        Guid agentId,
        CancellationToken cancellationToken
    )
    {
        var started = new List<Guid>();
        for (var i = 0; i < SessionsPerWave; i++)
        {
            using var response = await node.Client.PostAsJsonAsync(
                $"/api/agents/{agentId}/runs",
                new { input = new { order = $"o-{i}" } },
                cancellationToken
            );
            Assert.True(
                response.StatusCode == HttpStatusCode.Accepted,
                $"start run answered {(int)response.StatusCode}: "
                    + await response.Content.ReadAsStringAsync(cancellationToken)
            );
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            started.Add(body.GetProperty("sessionId").GetGuid());
        }

        return started;
    }

    /// <summary>Waits until <paramref name="node"/> holds the live lease of a Running child run; false when none
    /// came within the deadline.</summary>
    private static async Task<bool> ChildAtWorkOnAsync(
        ClusterScenario cluster,
        ServerProcess node,
        CancellationToken cancellationToken
    )
    {
        var owner = $"/{node.ProcessId}/";
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            await using (var db = await cluster.Contexts.CreateDbContextAsync(cancellationToken))
            {
                var now = DateTime.UtcNow;
                var holding = await (
                    from lease in db.RunLeases.AsNoTracking()
                    join run in db.Runs.AsNoTracking() on lease.RunId equals run.Id
                    where lease.Owner.Contains(owner) && lease.ExpiresAt > now && run.Depth == 1
                    where run.Status == "Running"
                    select run.Id
                ).AnyAsync(cancellationToken);
                if (holding)
                {
                    return true;
                }
            }

            await Task.Delay(50, cancellationToken);
        }

        return false;
    }

    private static async Task<SessionDetail> WaitForEndAsync(
        ClusterScenario cluster,
        Guid sessionId,
        CancellationToken cancellationToken
    )
    {
        try
        {
            return await Eventually.Get(
                () => cluster.StoredAsync(sessionId, cancellationToken),
                d => d.Session.FinishedAt is not null,
                Deadline,
                $"session {sessionId} to finish"
            );
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{cluster.Output}", ex);
        }
    }

    private static void AssertWholeTree(SessionDetail detail)
    {
        Assert.Equal("Completed", detail.Session.Status);
        var root = Assert.Single(detail.Runs, r => r.Depth == 0);
        var children = detail.Runs.Where(r => r.ParentRunId == root.Id).ToList();
        Assert.Equal(ChildrenPerParent, children.Count);
        Assert.Equal(ChildrenPerParent + 1, detail.Runs.Count);
        Assert.All(children, c => Assert.Equal("Completed", c.Status));

        var rootSteps = detail.Steps.Where(s => s.RunId == root.Id).ToList();
        Assert.Equal(children.Select(c => c.Id).Order(), ChildIds(rootSteps, StepType.SubAgentCall).Order());
        Assert.Equal(children.Select(c => c.Id).Order(), ChildIds(rootSteps, StepType.SubAgentResult).Order());

        foreach (var run in detail.Runs)
        {
            var steps = detail.Steps.Where(s => s.RunId == run.Id).Select(s => s.Sequence).Order().ToList();
            Assert.Equal(Enumerable.Range(1, steps.Count), steps);
            Assert.Equal(StepType.Output, detail.Steps.Where(s => s.RunId == run.Id).MaxBy(s => s.Sequence)?.Type);
        }

        Assert.Equal(detail.Steps.Select(s => s.EventSequence).Distinct().Count(), detail.Steps.Count);
    }

    private static IEnumerable<Guid> ChildIds(IEnumerable<Store.Rows.StepRow> steps, string type) =>
        steps
            .Where(s => s.Type == type)
            .Select(s => JsonDocument.Parse(s.Content).RootElement.GetProperty("child_run_id").GetGuid());
}
