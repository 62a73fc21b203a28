using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;
using Skein.Testing;

namespace Skein.Bench.Api;

/// <summary>
/// <c>parked-memory</c>: the server's resident memory with N sessions parked in WaitingForResponse (a multi-turn
/// agent answered and waits for the next message) against the same server idle. A waiting session should cost a
/// row, not memory: the baseline is taken after a warm-up of the same kind, so JIT and pools are in both figures.
/// </summary>
public static class ParkedMemoryBench
{
    private const int InFlight = 32;

    public static async Task<bool> RunAsync(BenchArgs args, BenchServer server, CancellationToken cancellationToken)
    {
        var count = args.Int("sessions", args.Smoke ? 50 : 10_000);

        // How long to let the server settle before each reading; longer leaves time to attach a profiler
        // (dotnet-gcdump).
        var settle = TimeSpan.FromSeconds(args.Int("settle", args.Smoke ? 1 : 5));
        var agent = await BenchAgent.CreateAsync(
            server,
            new AgentSpec
            {
                Name = "bench-parked",
                Conversation = ConversationMode.MultiTurn,
                ConversationIdleTimeoutSec = 3600,
                Script = [BenchAgent.Says("Hello! What else can I do for you?")],
            },
            cancellationToken
        );
        using var client = server.CreateClient(maxConnections: InFlight, agent.ApiKey);

        var warmup = Math.Min(200, count);
        await StartAsync(client, agent, warmup, cancellationToken);
        await WaitParkedAsync(server, agent, warmup, cancellationToken);
        var idle = await ReadAsync(server, settle, cancellationToken);

        await StartAsync(client, agent, count, cancellationToken);
        await WaitParkedAsync(server, agent, warmup + count, cancellationToken);
        var parked = await ReadAsync(server, settle, cancellationToken);

        Console.WriteLine(Report("RSS", count, idle.Resident, parked.Resident));
        Console.WriteLine(Report("RSS after a full GC", count, idle.Collected, parked.Collected));
        return true;
    }

    /// <summary>
    /// RSS as the server stands after settling, then after one full collection: the first includes garbage the
    /// collector has not come back for yet (a burst of starts leaves some in gen1), the second is what is held.
    /// </summary>
    private static async Task<(long Resident, long Collected)> ReadAsync(
        BenchServer server,
        TimeSpan settle,
        CancellationToken cancellationToken
    )
    {
        await Task.Delay(settle, cancellationToken);
        var resident = server.ResidentBytes;
        await InducedCollection.RunAsync(server.ProcessId, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return (resident, server.ResidentBytes);
    }

    private static string Report(string what, int count, long idle, long parked) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"parked-memory: {what}: idle {idle / (1024.0 * 1024.0):0.0} MB, with {count:N0} more sessions in "
                + $"WaitingForResponse "
                + $"{parked / (1024.0 * 1024.0):0.0} MB: {(parked - idle) / (1024.0 * 1024.0):+0.0;-0.0} MB "
                + $"({(parked - idle) / (double)count / 1024:0.0} KB per session)"
        );

    private static async Task StartAsync(
        HttpClient client,
        BenchAgent agent,
        int count,
        CancellationToken cancellationToken
    )
    {
        var next = -1;
        await Task.WhenAll(
            Enumerable
                .Range(0, InFlight)
                .Select(async _ =>
                {
                    while (Interlocked.Increment(ref next) < count)
                    {
                        using var response = await client.PostAsJsonAsync(
                            $"/v1/agents/{agent.AgentId}/runs",
                            new { input = new { n = next } },
                            cancellationToken
                        );
                        if (response.StatusCode != HttpStatusCode.Accepted)
                        {
                            throw new InvalidOperationException(
                                $"start answered {(int)response.StatusCode}: "
                                    + $"{await response.Content.ReadAsStringAsync(cancellationToken)}"
                            );
                        }
                    }
                })
        );
    }

    private static Task WaitParkedAsync(
        BenchServer server,
        BenchAgent agent,
        int count,
        CancellationToken cancellationToken
    ) =>
        Eventually.Get(
            async () =>
            {
                await using var db = await server.Contexts.CreateDbContextAsync(cancellationToken);
                return await db.Sessions.CountAsync(
                    s => s.AgentId == agent.AgentId && s.Status == "WaitingForResponse",
                    cancellationToken
                );
            },
            parked => parked >= count,
            TimeSpan.FromMinutes(10),
            $"{count} sessions to park in WaitingForResponse"
        );
}
