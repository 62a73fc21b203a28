using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Bench.Api;

/// <summary>
/// <c>sse-latency</c>: many SSE subscribers, each on its own connection, follow one conversational session.
/// They connect while it waits for the user and replay its history; once every subscriber is caught up,
/// the driver sends messages, each answered by a turn that calls skein_echo and replies (about 10 events
/// in a burst). Latency is receive time minus the event's <c>ts</c>, over every live event and subscriber.
/// At the end the session is terminated, which ends every stream; each subscriber must have received every
/// live event exactly once, in order.
/// </summary>
public static class SseLatencyBench
{
    /// <summary>Warm-up messages are streamed to every subscriber but not measured: a fresh server is still
    /// JIT-compiling.</summary>
    /// <param name="PerMessage">Also print each message's latencies (<c>--report per-message</c>): a tail made by
    /// one message stands out from one spread over all of them.</param>
    public sealed record Settings(int Subscribers, TimeSpan Warmup, int Messages, TimeSpan Pause, bool PerMessage)
    {
        /// <summary>Script turns for warm-up messages; past the script the model only echoes (fewer events per
        /// message).</summary>
        public int MaxWarmupMessages => (int)(Warmup / Pause) + 1;

        /// <summary>Room for every event a subscriber can receive: the history, about 12 per message, the
        /// end.</summary>
        public int ExpectedEvents => 16 * (MaxWarmupMessages + Messages) + 64;

        public static Settings For(BenchArgs args) =>
            new(
                args.Int("subscribers", args.Smoke ? 20 : 1000),
                TimeSpan.FromSeconds(args.Double("warmup", args.Smoke ? 0.3 : 20)),
                args.Int("messages", args.Smoke ? 3 : 30),
                TimeSpan.FromMilliseconds(args.Int("pause-ms", 200)),
                args.Text("report", args.Smoke ? "per-message" : "summary") switch
                {
                    "summary" => false,
                    "per-message" => true,
                    var other => throw new ArgumentException($"--report is summary or per-message, not '{other}'"),
                }
            );
    }

    public static async Task<bool> RunAsync(BenchArgs args, BenchServer server, CancellationToken cancellationToken)
    {
        var settings = Settings.For(args);
        var messages = settings.MaxWarmupMessages + settings.Messages;
        var agent = await BenchAgent.CreateAsync(
            server,
            new AgentSpec
            {
                Name = "bench-sse",
                Conversation = ConversationMode.MultiTurn,
                Operations = [EchoTool.ToolName],
                Script =
                [
                    BenchAgent.Says("ready"),
                    .. Enumerable
                        .Range(1, messages)
                        .SelectMany(i => new[] { BenchAgent.Echo(calls: 1), BenchAgent.Says($"answer {i}") }),
                ],
                Limits = new RunLimits
                {
                    MaxIterations = 2 * messages + 10,
                    MaxToolCalls = messages + 10,
                    MaxTokensPerRun = 100_000_000,
                },
            },
            cancellationToken
        );
        using var control = server.CreateClient(maxConnections: 4, agent.ApiKey);
        using var streams = server.CreateClient(maxConnections: settings.Subscribers + 16, agent.ApiKey);

        using var start = await control.PostAsJsonAsync(
            $"/v1/agents/{agent.AgentId}/runs",
            new { input = new { bench = "sse" } },
            cancellationToken
        );
        start.EnsureSuccessStatusCode();
        var started = await start.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var runId = started.GetProperty("runId").GetGuid();
        var sessionId = started.GetProperty("sessionId").GetGuid();
        await WaitForReplyAsync(control, runId, cancellationToken);

        var connecting = Stopwatch.StartNew();
        var subscribers = Enumerable
            .Range(0, settings.Subscribers)
            .Select(_ => new SseSubscriber(settings.ExpectedEvents))
            .ToList();
        var reading = subscribers
            .Select(s =>
                Task.Run(() => s.RunAsync(streams, $"/v1/runs/{runId}/stream", cancellationToken), cancellationToken)
            )
            .ToList();
        var replayed = await CaughtUpAsync(subscribers, "every subscriber to replay the history");
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"sse-latency: {settings.Subscribers} subscribers connected and replayed {replayed} events in "
                    + $"{connecting.Elapsed.TotalSeconds:0.0} s"
            )
        );

        var warming = Stopwatch.StartNew();
        for (var i = 1; i <= settings.MaxWarmupMessages && (i == 1 || warming.Elapsed < settings.Warmup); i++)
        {
            await SendAsync(control, runId, $"warm-up {i}", cancellationToken);
            await Task.Delay(settings.Pause, cancellationToken);
        }

        var baseline = await CaughtUpAsync(subscribers, "every subscriber to receive the warm-up");
        var driving = Stopwatch.StartNew();
        var cpu = new CpuMeter(server);
        for (var i = 1; i <= settings.Messages; i++)
        {
            await SendAsync(control, runId, $"message {i}", cancellationToken);
            await Task.Delay(settings.Pause, cancellationToken);
        }

        using var terminate = await server.Admin.PostAsync(
            $"/api/sessions/{sessionId}/terminate",
            null,
            cancellationToken
        );
        terminate.EnsureSuccessStatusCode();
        var all = Task.WhenAll(reading);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60), cancellationToken)) != all)
        {
            Console.WriteLine("sse-latency: some streams did not end within 60 s of the session ending");
        }

        driving.Stop();
        var ok = Report(settings, subscribers, baseline, driving.Elapsed);
        var deliveries = subscribers.Sum(s => s.Events.Count(e => e.Id > baseline));
        Console.WriteLine($"sse-latency: {cpu.Report("event delivered to one subscriber", Math.Max(1, deliveries))}");
        return ok;
    }

    /// <summary>The last id once every subscriber has it and it held for two polls (the session is quiet), or when one
    /// failed.</summary>
    private static async Task<long> CaughtUpAsync(List<SseSubscriber> subscribers, string what)
    {
        long previous = -1;
        var (last, _) = await Eventually.Get(
            () =>
            {
                var ids = subscribers.Select(s => s.LastId).ToList();
                var agreed = ids.Min() > 0 && ids.Min() == ids.Max() ? ids[0] : -1;
                var stable = agreed > 0 && agreed == previous;
                previous = agreed;
                return Task.FromResult((agreed, stable || subscribers.Any(s => s.Error is not null)));
            },
            r => r.Item2,
            TimeSpan.FromSeconds(120),
            what
        );
        return last;
    }

    private static async Task SendAsync(
        HttpClient control,
        Guid runId,
        string text,
        CancellationToken cancellationToken
    )
    {
        using var sent = await control.PostAsJsonAsync($"/v1/runs/{runId}/messages", new { text }, cancellationToken);
        sent.EnsureSuccessStatusCode();
        await WaitForReplyAsync(control, runId, cancellationToken);
    }

    private static bool Report(Settings settings, List<SseSubscriber> subscribers, long baseline, TimeSpan elapsed)
    {
        var last = subscribers.Max(s => s.LastId);
        var expected = last - baseline;
        var latency = new Latencies();
        long received = 0,
            missing = 0;
        var broken = 0;
        foreach (var s in subscribers)
        {
            var live = s.Events.Where(e => e.Id > baseline).ToList();
            received += live.Count;
            missing += expected - live.Select(e => e.Id).Distinct().Count();
            var inOrder = live.Select((e, i) => e.Id == baseline + 1 + i).All(x => x);
            if (!inOrder || live.Count != expected || s.Error is not null)
            {
                broken++;
            }

            latency.AddRange(live.Select(e => e.LatencyMs));
        }

        var errors = subscribers.Where(s => s.Error is not null).GroupBy(s => s.Error).ToList();
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"sse-latency: {settings.Messages} messages in {elapsed.TotalSeconds:0.0} s → {expected} live events "
                    + $"per subscriber; "
                    + $"{received} received of {expected * subscribers.Count}, {missing} missing, {broken} "
                    + $"subscribers with gaps, duplicates or errors"
            )
        );
        Console.WriteLine($"sse-latency: event-to-client {latency.Summarize()}");
        var bursts = Bursts(subscribers[0].Events.Where(e => e.Id > baseline));
        Console.WriteLine($"sse-latency: {BurstSpans(bursts)}");
        if (settings.PerMessage)
        {
            PerMessage(subscribers, bursts);
        }
        foreach (var error in errors)
        {
            Console.WriteLine($"sse-latency: {error.Count()} × {error.Key}");
        }

        return expected > 0 && missing == 0 && broken == 0;
    }

    /// <summary>One message's events: the ids from one subscriber's stream and their first and last <c>ts</c>.
    /// </summary>
    private readonly record struct Burst(long FirstId, long LastId, DateTimeOffset FirstTs, DateTimeOffset LastTs);

    /// <summary>Events split into messages: a pause of 100 ms or more between two <c>ts</c> starts the next
    /// one.</summary>
    private static List<Burst> Bursts(IEnumerable<(long Id, double LatencyMs, DateTimeOffset Ts)> events)
    {
        var bursts = new List<Burst>();
        foreach (var (id, _, ts) in events)
        {
            if (bursts.Count > 0 && (ts - bursts[^1].LastTs).TotalMilliseconds < 100)
            {
                bursts[^1] = bursts[^1] with { LastId = id, LastTs = ts };
            }
            else
            {
                bursts.Add(new Burst(id, id, ts, ts));
            }
        }

        return bursts;
    }

    /// <summary>How long the server took to decide each message's events (first to last <c>ts</c>): when fan-out
    /// holds up the run that feeds it, bursts stretch.</summary>
    private static string BurstSpans(List<Burst> bursts)
    {
        var spans = new Latencies();
        spans.AddRange(bursts.Select(b => (b.LastTs - b.FirstTs).TotalMilliseconds));
        return $"a message's events decided within (first to last ts) {spans.Summarize()}";
    }

    /// <summary>Each message's latencies over every subscriber, and when its events arrived counted from its first
    /// <c>ts</c>.</summary>
    private static void PerMessage(List<SseSubscriber> subscribers, List<Burst> bursts)
    {
        foreach (var burst in bursts)
        {
            var latency = new Latencies();
            var arrived = new Latencies();
            foreach (var subscriber in subscribers)
            {
                foreach (var (id, ms, ts) in subscriber.Events)
                {
                    if (id >= burst.FirstId && id <= burst.LastId)
                    {
                        latency.Add(ms);
                        arrived.Add((ts - burst.FirstTs).TotalMilliseconds + ms);
                    }
                }
            }

            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"sse-latency: message of events {burst.FirstId}-{burst.LastId}: event-to-client "
                        + $"{latency.Summarize()}; arrived after its first ts {arrived.Summarize()}"
                )
            );
        }
    }

    private static async Task WaitForReplyAsync(HttpClient client, Guid runId, CancellationToken cancellationToken)
    {
        var status = await Eventually.Get(
            async () =>
                (await client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}", cancellationToken))
                    .GetProperty("status")
                    .GetString(),
            s => s is "WaitingForResponse" or "Completed" or "Failed" or "Terminated",
            TimeSpan.FromSeconds(60),
            "the reply"
        );
        if (status != "WaitingForResponse")
        {
            throw new InvalidOperationException(
                $"the conversational run ended ({status}) instead of waiting for the next message"
            );
        }
    }
}
