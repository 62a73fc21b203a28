using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Testing;

namespace Skein.Bench.Api;

/// <summary>
/// <c>list-sessions</c>: GET /v1/agents/{id}/sessions (first page, newest first, with its total) on an agent with a
/// million sessions, with a status filter (8 % of them: Failed) and without one. Sequential requests after a warm-up.
/// </summary>
public static class ListSessionsBench
{
    public static async Task<bool> RunAsync(BenchArgs args, BenchServer server, CancellationToken cancellationToken)
    {
        var count = args.Int("sessions", args.Smoke ? 2_000 : 1_000_000);
        var requests = args.Int("requests", args.Smoke ? 20 : 300);
        var agent = await BenchAgent.CreateAsync(
            server,
            new AgentSpec { Name = "bench-list", Script = [BenchAgent.Says("done")] },
            cancellationToken
        );

        using var client = server.CreateClient(maxConnections: 4, agent.ApiKey);
        (
            await client.PostAsJsonAsync($"/v1/agents/{agent.AgentId}/runs", new { input = new { } }, cancellationToken)
        ).EnsureSuccessStatusCode();
        await Eventually.Get(
            async () =>
            {
                await using var db = await server.Contexts.CreateDbContextAsync(cancellationToken);
                return await db.Sessions.CountAsync(
                    x => x.AgentId == agent.AgentId && x.Status == "Completed",
                    cancellationToken
                );
            },
            n => n == 1,
            TimeSpan.FromMinutes(1),
            "the template session to complete"
        );

        var seeding = Stopwatch.StartNew();
        await SessionSeeder.SeedAsync(server, agent.AgentId, count, cancellationToken);
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"list-sessions: seeded {count:N0} sessions in {seeding.Elapsed.TotalSeconds:0.0} s"
            )
        );

        var ok = true;
        foreach (
            var (label, query, expected) in new[]
            {
                ("status=Failed", "?status=Failed&take=20", Failed(count)),
                ("no filter", "?take=20", count + 1L),
            }
        )
        {
            var url = $"/v1/agents/{agent.AgentId}/sessions{query}";
            for (var i = 0; i < Math.Max(5, requests / 10); i++)
            {
                await client.GetAsync(url, cancellationToken);
            }

            var latencies = new Latencies();
            long total = 0;
            var items = 0;
            for (var i = 0; i < requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var body = await client.GetFromJsonAsync<JsonElement>(url, cancellationToken);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                total = body.GetProperty("total").GetInt64();
                items = body.GetProperty("items").GetArrayLength();
            }

            // The seed's status mix is by residue, so the filtered total is exact; the server must report it.
            var correct = items == 20 && total == expected;
            ok &= correct;
            Console.WriteLine(
                $"list-sessions ({label}): {latencies.Summarize()}; total {total:N0}, {items} "
                    + $"items{(correct ? "" : $" — WRONG, expected total {expected:N0}")}"
            );
        }

        return ok;
    }

    /// <summary>Seed rows i = 1..count with i % 100 in 90..97 are Failed.</summary>
    private static long Failed(int count) => Enumerable.Range(1, count).LongCount(i => i % 100 is >= 90 and < 98);
}
