using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Bench.Throughput;
using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Testing;

namespace Skein.Bench.Trees;

/// <summary>
/// <c>tree-throughput</c>: run trees next to flat runs, in one process on one fresh SQLite file. The flat run is the
/// engine-throughput agent (one model turn with one <c>skein_echo</c> call, then the output); the tree is a parent that
/// dispatches three children of that same shape in Parallel, then answers. Both are reported as runs per second and
/// as steps committed per second (the tree's target: at least 80 % of the flat rate).
/// </summary>
internal static class TreeThroughput
{
    private const int Children = 3;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var smoke = args.Contains("--smoke");
        var sessions = Option(args, "--sessions") ?? (smoke ? 40 : 400);
        var concurrency = Option(args, "--concurrency") ?? 64;
        var directory = Path.Combine(Path.GetTempPath(), "skein-tree-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            await using var host = await EngineTestHost.StartAsync(Path.Combine(directory, "skein.db"), configure: o =>
                o.MaxConcurrentRuns = Math.Max(o.MaxConcurrentRuns, concurrency * (Children + 1))
            );
            var flat = await host.CreateAgentAsync(EngineThroughput.Agent with { Name = "bench-flat" });
            var child = await host.CreateAgentAsync(
                EngineThroughput.Agent with
                {
                    Name = "bench-child",
                    Mode = ExecutionMode.SubAgent,
                    Description = "looks up the weather",
                }
            );
            var parent = await host.CreateAgentAsync(
                new AgentSpec
                {
                    Name = "bench-parent",
                    AllowedSubAgents = [child.AgentId],
                    SubAgentExecutionModel = SubAgentExecutionModel.Parallel,
                    Script =
                    [
                        new ScriptTurn
                        {
                            Text = "Asking three helpers.",
                            ToolCalls =
                            [
                                .. Enumerable
                                    .Range(1, Children)
                                    .Select(i => new ScriptToolCall(
                                        "subagent_bench-child",
                                        JsonSerializer.SerializeToElement(new { input = $"city {i}" })
                                    )),
                            ],
                        },
                        new ScriptTurn { Text = "All three answered." },
                    ],
                }
            );

            // Warm-up of both shapes (JIT), then the measured rounds, flat first.
            await DriveAsync(host, flat.AgentId, Math.Max(8, sessions / 10), concurrency, cancellationToken);
            await DriveAsync(host, parent.AgentId, Math.Max(4, sessions / 20), concurrency, cancellationToken);
            var flatRate = await DriveAsync(host, flat.AgentId, sessions, concurrency, cancellationToken);
            var treeRate = await DriveAsync(host, parent.AgentId, sessions / 2, concurrency, cancellationToken);

            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"flat: {flatRate.Sessions} sessions, {flatRate.RunsPerSecond:0.0} runs/s, "
                        + $"{flatRate.StepsPerSecond:0} steps/s"
                )
            );
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"tree (parent + {Children} children, Parallel): {treeRate.Sessions} sessions, "
                        + $"{treeRate.RunsPerSecond:0.0} runs/s ({treeRate.SessionsPerSecond:0.0} trees/s), "
                        + $"{treeRate.StepsPerSecond:0} steps/s"
                )
            );
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"tree/flat in steps committed per second: {treeRate.StepsPerSecond / flatRate.StepsPerSecond:P1}"
                )
            );
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Starts <paramref name="count"/> sessions keeping at most <paramref name="concurrency"/> unfinished;
    /// measures until the last one finished.</summary>
    private static async Task<Rate> DriveAsync(
        EngineTestHost host,
        Guid agentId,
        int count,
        int concurrency,
        CancellationToken cancellationToken
    )
    {
        var before = await CountAsync(host, agentId, cancellationToken);
        var clock = Stopwatch.StartNew();
        var started = 0;
        var finished = 0;
        while (finished < count)
        {
            var room = Math.Min(concurrency - (started - finished), count - started);
            for (var i = 0; i < room; i++)
            {
                await host.Starter.StartAsync(
                    new Engine.Runs.StartRunRequest(agentId, null, TriggerType.Api, "bench"),
                    cancellationToken
                );
                started++;
            }

            await Task.Delay(PollInterval, cancellationToken);
            finished = (await CountAsync(host, agentId, cancellationToken)).Finished - before.Finished;
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        var after = await CountAsync(host, agentId, cancellationToken);
        return new Rate(
            count,
            count / elapsed,
            (after.Runs - before.Runs) / elapsed,
            (after.Steps - before.Steps) / elapsed
        );
    }

    private static async Task<(int Finished, int Runs, int Steps)> CountAsync(
        EngineTestHost host,
        Guid agentId,
        CancellationToken cancellationToken
    )
    {
        await using var db = await host.Contexts.CreateDbContextAsync(cancellationToken);
        var sessions = db.Sessions.Where(s => s.AgentId == agentId);
        var finished = await sessions.CountAsync(
            s => s.Status == "Completed" || s.Status == "Failed",
            cancellationToken
        );
        var runs = await db.Runs.CountAsync(r => sessions.Any(s => s.Id == r.SessionId), cancellationToken);
        var steps = await db.Steps.CountAsync(st => sessions.Any(s => s.Id == st.SessionId), cancellationToken);
        return (finished, runs, steps);
    }

    private static int? Option(IReadOnlyList<string> args, string name)
    {
        var at = args.ToList().IndexOf(name);
        return at >= 0 && at + 1 < args.Count && int.TryParse(args[at + 1], out var value) && value > 0 ? value : null;
    }

    private sealed record Rate(int Sessions, double SessionsPerSecond, double RunsPerSecond, double StepsPerSecond);
}
