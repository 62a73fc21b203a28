using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Bench.Api;

/// <summary>
/// <c>start-latency</c>: POST /v1/agents/{id}/runs open-loop at a fixed rate. Each request's latency is
/// measured from the instant the schedule says it should be sent, not from when it was sent, so a stall
/// (in the server or in this driver) counts against every request it delays: no coordinated omission.
/// The agent calls skein_echo once and answers with no delay, so the server executes every run it starts
/// while it is being measured. The warm-up runs at the same rate: a fresh server spends its first ~25 s
/// of load JIT-compiling (tiered compilation), which would otherwise be most of what is measured.
/// </summary>
public static class StartLatencyBench
{
    public sealed record Settings(int Rate, TimeSpan Warmup, TimeSpan Duration)
    {
        public static Settings For(BenchArgs args) =>
            new(
                args.Int("rate", 200),
                TimeSpan.FromSeconds(args.Double("warmup", args.Smoke ? 0.2 : 30)),
                TimeSpan.FromSeconds(args.Double("seconds", args.Smoke ? 1 : 20))
            );
    }

    public static async Task<bool> RunAsync(BenchArgs args, BenchServer server, CancellationToken cancellationToken)
    {
        var settings = Settings.For(args);
        var agent = await BenchAgent.CreateAsync(
            server,
            new AgentSpec
            {
                Name = "bench-start",
                Operations = [EchoTool.ToolName],
                Script = [BenchAgent.Echo(calls: 1), BenchAgent.Says("done")],
            },
            cancellationToken
        );
        using var client = server.CreateClient(maxConnections: 1024, agent.ApiKey);

        await LoadAsync(client, agent, settings.Rate, settings.Warmup, cancellationToken);
        Console.WriteLine("start-latency: warm-up done; measuring");
        var cpu = new CpuMeter(server);
        var load = await LoadAsync(client, agent, settings.Rate, settings.Duration, cancellationToken);
        var measured = cpu.Report("start (request + its run)", Requests(settings.Rate, settings.Duration));
        var sent = Requests(settings.Rate, settings.Warmup) + Requests(settings.Rate, settings.Duration);
        var drained = await WaitForCompletedRunsAsync(client, agent, sent, cancellationToken);

        var s = load.Latency.Summarize();
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"start-latency: target {settings.Rate} req/s for {settings.Duration.TotalSeconds:0.#} s (after "
                    + $"{settings.Warmup.TotalSeconds:0.#} s warm-up); "
                    + $"achieved {load.AchievedRate:0.0} req/s; {load.Accepted} accepted, {load.Failed.Count} failed"
            )
        );
        Console.WriteLine($"start-latency: {s}");
        Console.WriteLine(
            $"start-latency: driver's send lag behind the schedule (included above): {load.SendLag.Summarize()}"
        );
        Console.WriteLine($"start-latency: {measured}");
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"start-latency: runs completed {drained.Completed}/{sent} within {drained.After.TotalSeconds:0.0} s "
                    + $"of the last start"
            )
        );
        foreach (var (status, count) in load.Failed)
        {
            Console.WriteLine($"start-latency: {count} × {status}");
        }

        return load.Failed.Count == 0 && drained.Completed == sent;
    }

    private sealed record LoadResult(
        Latencies Latency,
        Latencies SendLag,
        int Accepted,
        Dictionary<string, int> Failed,
        double AchievedRate
    );

    private static int Requests(int rate, TimeSpan duration) => (int)Math.Round(rate * duration.TotalSeconds);

    private static async Task<LoadResult> LoadAsync(
        HttpClient client,
        BenchAgent agent,
        int rate,
        TimeSpan duration,
        CancellationToken cancellationToken
    )
    {
        var count = Requests(rate, duration);
        var latency = new Latencies();
        var failed = new Dictionary<string, int>();
        var accepted = 0;
        var path = $"/v1/agents/{agent.AgentId}/runs";
        var requests = new List<Task>(count);
        var sendLag = new Latencies();
        long start = 0,
            lastSent = 0;

        await Pacer.RunAsync(
            count,
            rate,
            (i, due) =>
            {
                lastSent = Stopwatch.GetTimestamp();
                if (i == 0)
                {
                    start = lastSent;
                }

                sendLag.Add(Stopwatch.GetElapsedTime(due, lastSent).TotalMilliseconds);
                requests.Add(SendAsync(i, due));
            },
            cancellationToken
        );
        await Task.WhenAll(requests);
        var achieved = count <= 1 ? count : (count - 1) / Stopwatch.GetElapsedTime(start, lastSent).TotalSeconds;
        return new LoadResult(latency, sendLag, accepted, failed, achieved);

        async Task SendAsync(int i, long due)
        {
            string? failure;
            try
            {
                using var content = new ByteArrayContent(Encoding.UTF8.GetBytes($$$"""{"input":{"i":{{{i}}}}}"""));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await client.PostAsync(path, content, cancellationToken);
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                failure =
                    response.StatusCode == HttpStatusCode.Accepted
                        ? null
                        : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException ex)
            {
                failure = ex.HttpRequestError.ToString();
            }

            latency.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
            lock (failed)
            {
                if (failure is null)
                {
                    accepted++;
                }
                else
                {
                    failed[failure] = failed.GetValueOrDefault(failure) + 1;
                }
            }
        }
    }

    /// <summary>Whether the engine kept up: every started run should finish shortly after the load stops.</summary>
    private static async Task<(int Completed, TimeSpan After)> WaitForCompletedRunsAsync(
        HttpClient client,
        BenchAgent agent,
        int expected,
        CancellationToken cancellationToken
    )
    {
        var since = Stopwatch.StartNew();
        var completed = 0;
        while (since.Elapsed < TimeSpan.FromSeconds(60))
        {
            var page = await client.GetFromJsonAsync<JsonElement>(
                $"/v1/agents/{agent.AgentId}/sessions?status=Completed&take=1",
                cancellationToken
            );
            completed = page.GetProperty("total").GetInt32();
            if (completed >= expected)
            {
                break;
            }

            await Task.Delay(100, cancellationToken);
        }

        return (completed, since.Elapsed);
    }
}
