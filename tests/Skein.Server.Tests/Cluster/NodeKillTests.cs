using Skein.Core.Steps;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Server.Tests.Cluster;

/// <summary>
/// 200 runs while a node is SIGKILLed mid-way: two nodes on one PostgreSQL database (the survivor resumes the dead
/// node's runs once their leases expire), or one SQLite node (started again on its file). Either way every run
/// completes, every session's timeline is gap-free, every tool call is executed once per idempotency key, and an
/// SSE client saw every event of every session in order.
/// </summary>
[RunsLong(45, Slots = 2)]
public sealed class NodeKillTests
{
    private const int Runs = 200;
    private const int CallsBeforeKill = Runs / 2;

    private static readonly string[] ExpectedTimeline =
    [
        StepType.LlmRequestPrepared,
        StepType.Reasoning,
        StepType.ToolCall,
        StepType.ToolResult,
        StepType.LlmRequestPrepared,
        StepType.Reasoning,
        StepType.ToolCall,
        StepType.ToolResult,
        StepType.LlmRequestPrepared,
        StepType.Reasoning,
        StepType.Output,
    ];

    [Fact]
    public async Task Two_postgres_nodes_one_killed_mid_way_the_survivor_completes_every_run_exactly_once()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var cluster = await ClusterScenario.CreateAsync(StoreKind.Postgres, cancellationToken);
        var doomed = await cluster.StartNodeAsync(cancellationToken);
        var survivor = await cluster.StartNodeAsync(cancellationToken);

        await RunKillAndVerifyAsync(
            cluster,
            [doomed, survivor],
            doomed,
            () => survivor.BaseAddress,
            restart: null,
            cancellationToken
        );
    }

    [Fact]
    public async Task One_sqlite_node_killed_mid_way_and_started_again_completes_every_run_exactly_once()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var cluster = await ClusterScenario.CreateAsync(StoreKind.Sqlite, cancellationToken);
        var current = await cluster.StartNodeAsync(cancellationToken);

        await RunKillAndVerifyAsync(
            cluster,
            [current],
            current,
            () => current.BaseAddress,
            restart: async () => current = await cluster.StartNodeAsync(cancellationToken),
            cancellationToken
        );
    }

    private static async Task RunKillAndVerifyAsync(
        ClusterScenario cluster,
        ServerProcess[] nodes,
        ServerProcess victim,
        Func<Uri> streamNode,
        Func<Task>? restart,
        CancellationToken cancellationToken
    )
    {
        var (agentId, apiKey) = await cluster.CreatePayingAgentAsync(nodes[0], cancellationToken);

        // Runs progress freely until the receiver has answered half the calls; later calls are held until after the
        // kill, so the victim certainly dies with runs in flight however fast the nodes are.
        cluster.Receiver.HoldAfter(CallsBeforeKill);

        // Runs spread over the nodes; each gets an SSE client (on the node that survives) from its start.
        var started = new List<(Guid SessionId, Guid RunId, bool OnVictim)>();
        var streams = new List<(SseRecorder Recorder, Task Reading)>();
        for (var i = 0; i < Runs; i++)
        {
            var node = nodes[i % nodes.Length];
            var run = await ClusterScenario.StartRunAsync(node, agentId, apiKey, i, cancellationToken);
            started.Add((run.SessionId, run.RunId, node == victim));
            var recorder = new SseRecorder(run.RunId, streamNode, apiKey);
            streams.Add((recorder, recorder.RunAsync(ClusterScenario.Deadline, cancellationToken)));
        }

        await cluster.Receiver.WaitForCallsAsync(CallsBeforeKill + 1, ClusterScenario.Deadline, cancellationToken);
        victim.Kill();
        var unfinishedAtKill = new HashSet<Guid>();
        foreach (var (sessionId, _, onVictim) in started)
        {
            if ((await cluster.StoredAsync(sessionId, cancellationToken)).Session.FinishedAt is null && onVictim)
            {
                unfinishedAtKill.Add(sessionId);
            }
        }

        Assert.True(
            unfinishedAtKill.Count > 0,
            "the kill came after every run of the killed node had finished: nothing was resumed"
        );
        cluster.Receiver.Release();
        if (restart is not null)
        {
            await restart();
        }

        try
        {
            await Task.WhenAll(streams.Select(s => s.Reading)).WaitAsync(ClusterScenario.Deadline, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or HttpRequestException)
        {
            var stuck = new List<string>();
            foreach (var (sessionId, _, onVictim) in started)
            {
                var d = await cluster.StoredAsync(sessionId, cancellationToken);
                if (d.Session.FinishedAt is null)
                {
                    stuck.Add(
                        $"{sessionId} {d.Session.Status} (victim: {onVictim}, at kill: "
                            + $"{unfinishedAtKill.Contains(sessionId)}) last step {d.Steps[^1].Type}"
                    );
                }
            }

            throw new TimeoutException($"{ex.Message}\nunfinished:\n{string.Join("\n", stuck)}\n{cluster.Output}", ex);
        }

        var payKeys = new HashSet<string>();
        for (var i = 0; i < started.Count; i++)
        {
            var (sessionId, runId, _) = started[i];
            var detail = await Eventually.Get(
                () => cluster.StoredAsync(sessionId, cancellationToken),
                d => d.Session.Status is "Completed" or "Failed" or "Terminated",
                ClusterScenario.Deadline,
                $"session {sessionId} to finish"
            );
            Assert.Equal("Completed", detail.Session.Status);
            Assert.Equal(runId, Assert.Single(detail.Runs).Id);

            // Gap-free: steps 1..n of the one run, the expected timeline, and events 1..m in the log.
            Assert.Equal(ExpectedTimeline, detail.Steps.Select(s => s.Type));
            Assert.Equal(Enumerable.Range(1, detail.Steps.Count), detail.Steps.Select(s => s.Sequence));
            var events = await cluster.EventSequencesAsync(sessionId, cancellationToken);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(n => (long)n), events);

            // The SSE client saw exactly those events, in order, however many times it had to reconnect.
            var seen = streams[i].Recorder.Events;
            Assert.Equal(events, seen.Select(e => e.Id));
            Assert.Equal("engine.session.completed", seen[^1].Subject);

            var pay = Assert.Single(detail.Steps, s =>
                s.Type == StepType.ToolCall && s.Content.Contains("\"pay\"", StringComparison.Ordinal)
            );
            Assert.True(payKeys.Add($"{runId:N}:{pay.Sequence}"));
        }

        // Executed exactly once per idempotency key: every committed call reached the receiver, nothing else did, and
        // only a call cut off by the kill was delivered again (with its key, so the receiver ran it once).
        var calls = cluster.Receiver.Calls.GroupBy(c => c.IdempotencyKey).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(payKeys.Order(), calls.Keys.Order());
        var repeated = calls.Where(c => c.Value > 1).Select(c => c.Key).ToList();
        var resumable = started
            .Where(s => unfinishedAtKill.Contains(s.SessionId))
            .Select(s => $"{s.RunId:N}:")
            .ToList();
        Assert.All(repeated, key =>
            Assert.Contains(resumable, prefix => key.StartsWith(prefix, StringComparison.Ordinal))
        );
        Assert.All(calls.Values, count => Assert.InRange(count, 1, 2));
    }
}
