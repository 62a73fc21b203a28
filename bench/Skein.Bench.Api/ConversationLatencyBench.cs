using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Limits;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Bench.Api;

/// <summary>
/// <c>conversation-latency</c>: one finished session of at least 1,000 steps, then GET
/// /v1/runs/{id}/conversation one request at a time, full and slim. Each scripted turn calls skein_echo
/// twice: llm_request_prepared, reasoning, 2 × (ToolCall, ToolResult) = 6 steps; the last turn adds
/// llm_request_prepared, reasoning, output.
/// </summary>
public static class ConversationLatencyBench
{
    private const int StepsPerTurn = 6;

    /// <summary>Warm-up is by time: a fresh server is still JIT-compiling (tiering) for several seconds.</summary>
    public sealed record Settings(int Turns, TimeSpan Warmup, int Requests)
    {
        public int Steps => Turns * StepsPerTurn + 3;

        public static Settings For(BenchArgs args) =>
            new(
                args.Int("turns", args.Smoke ? 20 : 167),
                TimeSpan.FromSeconds(args.Double("warmup", args.Smoke ? 0.3 : 15)),
                args.Int("requests", args.Smoke ? 10 : 300)
            );
    }

    public static async Task<bool> RunAsync(BenchArgs args, BenchServer server, CancellationToken cancellationToken)
    {
        var settings = Settings.For(args);
        var agent = await BenchAgent.CreateAsync(
            server,
            new AgentSpec
            {
                Name = "bench-conversation",
                Operations = [EchoTool.ToolName],
                Script = [.. Enumerable.Repeat(BenchAgent.Echo(calls: 2), settings.Turns), BenchAgent.Says("done")],
                Limits = new RunLimits
                {
                    MaxIterations = settings.Turns + 10,
                    MaxToolCalls = 2 * settings.Turns + 10,
                    MaxTokensPerRun = 100_000_000,
                },
            },
            cancellationToken
        );
        using var client = server.CreateClient(maxConnections: 4, agent.ApiKey);

        var built = Stopwatch.StartNew();
        using var start = await client.PostAsJsonAsync(
            $"/v1/agents/{agent.AgentId}/runs",
            new { input = new { bench = "conversation" } },
            cancellationToken
        );
        start.EnsureSuccessStatusCode();
        var runId = (await start.Content.ReadFromJsonAsync<JsonElement>(cancellationToken))
            .GetProperty("runId")
            .GetGuid();
        var status = await Eventually.Get(
            async () =>
                (await client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}", cancellationToken))
                    .GetProperty("status")
                    .GetString(),
            s => s is "Completed" or "Failed" or "Terminated",
            TimeSpan.FromMinutes(5),
            "the long run to finish"
        );
        built.Stop();

        var ok = status == "Completed";
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"conversation-latency: session of {settings.Steps} steps ({settings.Turns} turns × 2 skein_echo) "
                    + $"{status} in {built.Elapsed.TotalSeconds:0.0} s"
            )
        );
        var buffer = new byte[64 * 1024];
        foreach (var mode in new[] { "full", "slim" })
        {
            var path = $"/v1/runs/{runId}/conversation?stepContent={mode}";
            var (items, bytes) = await GetAsync(client, path, cancellationToken);
            for (var warming = Stopwatch.StartNew(); warming.Elapsed < settings.Warmup; )
            {
                await DrainAsync(client, path, buffer, cancellationToken);
            }

            var latency = new Latencies();
            var cpu = new CpuMeter(server);
            for (var i = 0; i < settings.Requests; i++)
            {
                var sent = Stopwatch.GetTimestamp();
                await DrainAsync(client, path, buffer, cancellationToken);
                latency.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }

            // Every step plus the synthetic RunCompleted and SessionCompleted items.
            ok &= items == settings.Steps + 2;
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"conversation-latency: {mode}: {items} items, {bytes / 1024.0:0} KiB; {latency.Summarize()}"
                )
            );
            Console.WriteLine($"conversation-latency: {mode}: {cpu.Report("request", settings.Requests)}");
        }

        return ok;
    }

    /// <summary>Time to the last byte: the body is read through one reused buffer, so the driver's own GC stays out of
    /// it.</summary>
    private static async Task DrainAsync(
        HttpClient client,
        string path,
        byte[] buffer,
        CancellationToken cancellationToken
    )
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        while (await body.ReadAsync(buffer, cancellationToken) > 0) { }
    }

    private static async Task<(int Items, long Bytes)> GetAsync(
        HttpClient client,
        string path,
        CancellationToken cancellationToken
    )
    {
        using var response = await client.GetAsync(path, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("items").GetArrayLength(), body.Length);
    }
}
