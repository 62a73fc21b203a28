using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Bench.Api;

/// <summary>
/// <c>search-sessions</c>: GET /api/sessions with <c>q</c> and a status filter (first page) over a million seeded
/// sessions whose inputs read "order &lt;i mod 1000&gt;": a selective search (one session in a thousand) and a common
/// word (every session) with the Failed filter (8 %). <c>bulk-terminate</c>: POST /api/sessions/bulk terminating 1,000
/// waiting sessions by filter.
/// </summary>
public static class SearchSessionsBench
{
    public static async Task<bool> SearchAsync(BenchArgs args, BenchServer server, CancellationToken cancellationToken)
    {
        var count = args.Int("sessions", args.Smoke ? 2_000 : 1_000_000);
        var requests = args.Int("requests", args.Smoke ? 20 : 300);
        var agent = await BenchAgent.CreateAsync(
            server,
            new AgentSpec { Name = "bench-search", Script = [BenchAgent.Says("done")] },
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
        await SessionSeeder.SeedAsync(
            server,
            agent.AgentId,
            count,
            "'{\"text\":\"order ' || (i % 1000) || '\"}'",
            cancellationToken
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"search-sessions: seeded {count:N0} sessions in {seeding.Elapsed.TotalSeconds:0.0} s"
            )
        );

        var ok = true;
        foreach (
            var (label, query, expected) in new[]
            {
                ("q=order 417, status=Completed", "q=order+417&status=Completed&take=20", Math.Min(20, count / 1000)),
                ("q=order, status=Failed", "q=order&status=Failed&take=20", 20),
            }
        )
        {
            var url = "/api/sessions?" + query;
            for (var i = 0; i < Math.Max(5, requests / 10); i++)
            {
                await server.Admin.GetAsync(url, cancellationToken);
            }

            var latencies = new Latencies();
            var items = 0;
            var cpu = server.CpuTime;
            for (var i = 0; i < requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var body = await server.Admin.GetFromJsonAsync<JsonElement>(url, cancellationToken);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                items = body.GetProperty("items").GetArrayLength();
            }

            var perRequest = (server.CpuTime - cpu).TotalMilliseconds / requests;
            var correct = items == expected;
            ok &= correct;
            Console.WriteLine(
                $"search-sessions ({label}): {latencies.Summarize()}; "
                    + FormattableString.Invariant($"server CPU {perRequest:0.0} ms/request; {items} items")
                    + (correct ? "" : $" — WRONG, expected {expected}")
            );
        }

        return ok;
    }

    public static async Task<bool> BulkTerminateAsync(
        BenchArgs args,
        BenchServer server,
        CancellationToken cancellationToken
    )
    {
        var count = args.Int("sessions", args.Smoke ? 50 : 1_000);
        var agent = await BenchAgent.CreateAsync(
            server,
            new AgentSpec
            {
                Name = "bench-bulk",
                Operations = [PhronyWaitTool.ToolName],
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "waiting",
                        ToolCalls = [new ScriptToolCall(PhronyWaitTool.ToolName, SkeinJson.Parse("{\"seconds\":240}"))],
                    },
                ],
            },
            cancellationToken
        );
        for (var started = 0; started < count; started += 50)
        {
            await Task.WhenAll(
                Enumerable
                    .Range(0, Math.Min(50, count - started))
                    .Select(async _ =>
                        (
                            await server.Admin.PostAsJsonAsync(
                                $"/api/agents/{agent.AgentId}/runs",
                                new { input = new { } },
                                cancellationToken
                            )
                        ).EnsureSuccessStatusCode()
                    )
            );
        }

        await Eventually.Get(
            async () =>
            {
                await using var db = await server.Contexts.CreateDbContextAsync(cancellationToken);
                return await db.Sessions.CountAsync(
                    x => x.AgentId == agent.AgentId && x.Status == "WaitingForTimer",
                    cancellationToken
                );
            },
            n => n == count,
            TimeSpan.FromMinutes(2),
            $"{count} sessions to wait"
        );

        var cpu = server.CpuTime;
        var clock = Stopwatch.StartNew();
        var response = await server.Admin.PostAsJsonAsync(
            "/api/sessions/bulk",
            new { action = "terminate", filter = new { agentId = agent.AgentId, status = "WaitingForTimer" } },
            cancellationToken
        );
        var elapsed = clock.Elapsed;
        var used = server.CpuTime - cpu;
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var done = response.IsSuccessStatusCode
            ? body.GetProperty("results").EnumerateArray().Count(r => r.GetProperty("outcome").GetString() == "done")
            : 0;
        var correct = done == count;
        if (!correct)
        {
            // Say which sessions were not done and why, so a wrong count can be followed up.
            foreach (var item in response.IsSuccessStatusCode ? body.GetProperty("results").EnumerateArray() : default)
            {
                if (item.GetProperty("outcome").GetString() != "done")
                {
                    Console.WriteLine($"bulk-terminate: not done: {item.GetRawText()}");
                }
            }

            if (!response.IsSuccessStatusCode)
            {
                Console.WriteLine($"bulk-terminate: {(int)response.StatusCode}: {body.GetRawText()}");
            }

            foreach (var line in server.WarningsAndErrors())
            {
                Console.WriteLine($"bulk-terminate: server: {line}");
            }
        }

        var each = elapsed.TotalMilliseconds / count;
        Console.WriteLine(
            FormattableString.Invariant($"bulk-terminate: {count:N0} sessions in {elapsed.TotalSeconds:0.00} s ")
                + FormattableString.Invariant($"({each:0.00} ms each), server CPU {used.TotalSeconds:0.00} s; ")
                + FormattableString.Invariant($"{done:N0} done")
                + (correct ? "" : FormattableString.Invariant($" — WRONG, expected {count:N0}"))
        );
        return correct;
    }
}
