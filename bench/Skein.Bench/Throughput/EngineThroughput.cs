using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Engine;
using Skein.Engine.Runs;
using Skein.Engine.Tools;
using Skein.Store;
using Skein.Store.Sqlite;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Bench.Throughput;

/// <summary>
/// Drives the real engine (RunStarter, dispatcher, run loop, group-commit writer) on a fresh SQLite file:
/// each run is one model turn with one <c>skein_echo</c> call, then the final output. At most
/// <c>concurrency</c> runs are in flight; a run is done when its session row says Completed.
/// </summary>
internal static class EngineThroughput
{
    /// <summary>How often the driver looks for room in the window: rarely enough that its timer does not compete with
    /// the engine.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    private static readonly JsonElement Input = JsonSerializer.SerializeToElement(
        new { question = "What is the weather in Lisbon?" }
    );

    public static AgentSpec Agent =>
        new()
        {
            Name = "bench-echo",
            Operations = [EchoTool.ToolName],
            Script =
            [
                new ScriptTurn
                {
                    Text = "Let me look that up.",
                    ToolCalls =
                    [
                        new ScriptToolCall(
                            EchoTool.ToolName,
                            JsonSerializer.SerializeToElement(new { city = "Lisbon", unit = "celsius" })
                        ),
                    ],
                },
                new ScriptTurn { Text = "It is 21 degrees and sunny in Lisbon." },
            ],
        };

    public static async Task<EngineResult> RunAsync(
        string databasePath,
        ThroughputOptions options,
        CancellationToken cancellationToken
    )
    {
        await using var host = await EngineTestHost.StartAsync(databasePath, configure: o => Configure(o, options));
        var agent = await host.CreateAgentAsync(Agent);
        await using var sessions = await SessionCounter.OpenAsync(databasePath, agent.AgentId, cancellationToken);
        return await MeasureAsync(host, agent.AgentId, sessions, options, cancellationToken);
    }

    /// <summary>The same on any store (<c>--store postgres</c>): sessions are counted through EF.</summary>
    public static async Task<EngineResult> RunAsync(
        TestStore store,
        ThroughputOptions options,
        CancellationToken cancellationToken
    )
    {
        await using var host = await EngineTestHost.StartAsync(store, configure: o => Configure(o, options));
        var agent = await host.CreateAgentAsync(Agent);
        await using var sessions = SessionCounter.Over(host.Contexts, agent.AgentId);
        return await MeasureAsync(host, agent.AgentId, sessions, options, cancellationToken, store.ConnectionString);
    }

    private static void Configure(EngineOptions o, ThroughputOptions options)
    {
        o.MaxConcurrentRuns = Math.Max(o.MaxConcurrentRuns, options.Concurrency);
        o.StreamModelCalls = options.StreamModelCalls;

        // The product default: the test host polls for due timers 20 times faster than a server does.
        o.TimerPollInterval = new EngineOptions().TimerPollInterval;
    }

    private static async Task<EngineResult> MeasureAsync(
        EngineTestHost host,
        Guid agentId,
        SessionCounter sessions,
        ThroughputOptions options,
        CancellationToken cancellationToken,
        string? postgres = null
    )
    {
        var dispatcher = host.Services.GetRequiredService<RunDispatcher>();

        // Warm-up lets tiered JIT reach its optimized code; measuring earlier measures the JIT.
        await DriveAsync(
            host.Starter,
            dispatcher,
            sessions,
            agentId,
            options.Warmup,
            options.Concurrency,
            expectedDone: options.Warmup,
            cancellationToken
        );
        var bytesBefore = await StoreBytes.MeasureAsync(host.Contexts, cancellationToken);
        var server = postgres is null ? null : await PostgresMeter.StartAsync(postgres, cancellationToken);
        var meter = new PhaseMeter();
        var sample = await DriveAsync(
            host.Starter,
            dispatcher,
            sessions,
            agentId,
            options.Runs,
            options.Concurrency,
            expectedDone: options.Warmup + options.Runs,
            cancellationToken
        );
        var cost = meter.Stop(options.Runs);
        var serverCost = server is null ? null : await server.StopAsync(cancellationToken);
        var stored = await StoreBytes.MeasureAsync(host.Contexts, cancellationToken) - bytesBefore;
        return new EngineResult(cost, sample, stored / (double)options.Runs) { Server = serverCost };
    }

    /// <summary>Starts <paramref name="runs"/> runs keeping at most <paramref name="concurrency"/> in flight; returns
    /// one started session id.</summary>
    private static async Task<Guid> DriveAsync(
        RunStarter starter,
        RunDispatcher dispatcher,
        SessionCounter sessions,
        Guid agentId,
        int runs,
        int concurrency,
        int expectedDone,
        CancellationToken cancellationToken
    )
    {
        var starting = 0;
        var starts = new List<Task<StartedRun>>(runs);
        while (starts.Count < runs)
        {
            // A started run is counted by the dispatcher until its driver exits, i.e. until it finished.
            var room = concurrency - dispatcher.ActiveCount - Volatile.Read(ref starting);
            if (room <= 0)
            {
                await Task.Delay(PollInterval, cancellationToken);
                continue;
            }

            for (var i = 0; i < room && starts.Count < runs; i++)
            {
                Interlocked.Increment(ref starting);
                starts.Add(StartAsync());
            }
        }

        var started = await Task.WhenAll(starts);

        // Drivers exit only after their last commit; polling the dispatcher costs nothing, the store confirms.
        while (dispatcher.ActiveCount > 0)
        {
            await Task.Delay(PollInterval, cancellationToken);
        }

        await sessions.WaitForCompletedAsync(expectedDone, TimeSpan.FromMinutes(10), cancellationToken);
        return started[^1].SessionId;

        async Task<StartedRun> StartAsync()
        {
            try
            {
                return await starter.StartAsync(
                    new StartRunRequest(agentId, Input, TriggerType.Api, "bench"),
                    cancellationToken
                );
            }
            finally
            {
                Interlocked.Decrement(ref starting);
            }
        }
    }

    /// <summary>Counts the agent's sessions by status over its own read connection (WAL: it never blocks the
    /// writer).</summary>
    private sealed class SessionCounter : IAsyncDisposable
    {
        private readonly SqliteConnection? _connection;
        private readonly SqliteCommand? _count;
        private readonly Func<CancellationToken, Task<Dictionary<string, int>>>? _countOther;

        private SessionCounter(SqliteConnection connection, Guid agentId)
        {
            _connection = connection;
            _count = connection.CreateCommand();
            _count.CommandText = "SELECT status, COUNT(*) FROM sessions WHERE agent_id = $agent GROUP BY status";
            _count.Parameters.AddWithValue("$agent", RowShape.GuidText(agentId));
        }

        private SessionCounter(Func<CancellationToken, Task<Dictionary<string, int>>> count) => _countOther = count;

        public static SessionCounter Over(IDbContextFactory<SkeinDbContext> contexts, Guid agentId) =>
            new(async cancellationToken =>
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                return await db
                    .Sessions.AsNoTracking()
                    .Where(s => s.AgentId == agentId)
                    .GroupBy(s => s.Status)
                    .Select(g => new { g.Key, Count = g.Count() })
                    .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
            });

        public static async Task<SessionCounter> OpenAsync(
            string databasePath,
            Guid agentId,
            CancellationToken cancellationToken
        )
        {
            var connection = new SqliteConnection(SqliteStoreExtensions.ConnectionString(databasePath));
            await connection.OpenAsync(cancellationToken);
            return new SessionCounter(connection, agentId);
        }

        public async Task WaitForCompletedAsync(int expected, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var counts = await CountAsync(cancellationToken);
                var completed = counts.GetValueOrDefault(nameof(SessionStatus.Completed));
                var stuck = counts
                    .Where(c => c.Key is not (nameof(SessionStatus.Completed) or nameof(SessionStatus.Running)))
                    .Sum(c => c.Value);
                if (stuck > 0)
                {
                    throw new InvalidOperationException(
                        $"{stuck} bench sessions did not complete: "
                            + $"{string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"))}"
                    );
                }

                if (completed >= expected)
                {
                    return;
                }

                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException(
                        $"only {completed} of {expected} bench sessions completed within {timeout}"
                    );
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }

        private async Task<Dictionary<string, int>> CountAsync(CancellationToken cancellationToken)
        {
            if (_countOther is { } other)
            {
                return await other(cancellationToken);
            }

            if (_count is null)
            {
                throw new InvalidOperationException("a session counter has either a query or a SQLite command");
            }

            var counts = new Dictionary<string, int>();
            await using var reader = await _count.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                counts[reader.GetString(0)] = reader.GetInt32(1);
            }

            return counts;
        }

        public async ValueTask DisposeAsync()
        {
            if (_count is not null && _connection is not null)
            {
                await _count.DisposeAsync();
                await _connection.DisposeAsync();
            }
        }
    }
}

/// <param name="BytesPerRun">What one measured run added to the store on disk (<see cref="StoreBytes"/>).</param>
internal sealed record EngineResult(PhaseCost Cost, Guid SampleSessionId, double BytesPerRun)
{
    /// <summary>PostgreSQL only: the server's side of the measured phase.</summary>
    public PostgresCost? Server { get; init; }

    public string DescribeBytes(string store) =>
        $"bytes on disk per run ({store}): {BytesPerRun:N0} B = {BytesPerRun / 1024:0.0} KiB";
}
