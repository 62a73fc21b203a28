using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Testing;

namespace Skein.Bench.Api;

/// <summary>
/// <c>delta-latency</c>: many runs stream their model answers at once, each followed by one SSE client. The model is a
/// local OpenAI-compatible server in this process (<see cref="StreamingModelServer"/>) that writes each chunk's send
/// time into its text; a client's latency is its receive time minus that: through Skein, what lies between a provider's
/// chunk and a subscriber's <c>engine.step.delta</c> (SDK parsing, the run loop, the notifier, the SSE writer and both
/// loopback hops, plus the driver's own share of the machine). The direct path measures that share: the same load with
/// each client reading the fake's stream itself. The model starts answering once every client has caught up with its
/// run's model request. Passes when every run completes and every client got every delta, in order, before its
/// reasoning step.
/// </summary>
public static class DeltaLatencyBench
{
    /// <param name="Staggered">Each run starts its chunks at its own offset within <paramref name="Pace"/>, as
    /// independent streams do; otherwise every run sends at the same instants (bursts of one chunk per run, the worst
    /// case).</param>
    /// <param name="Rounds">How many times the whole measurement runs on the same server; each round is reported, the
    /// first one with the server's start-up JIT in it.</param>
    /// <param name="Paths">What the clients read, in order: Skein's session streams, or (direct) the harness alone,
    /// each client reading its model stream straight from the fake with no Skein in between; the direct figure is the
    /// floor the load driver puts under Skein's on this machine. Both by default, the direct rounds first (they also
    /// take the driver's own start-up JIT out of Skein's rounds).</param>
    public sealed record Settings(
        int Runs,
        int Chunks,
        TimeSpan Pace,
        bool Staggered,
        int Rounds,
        IReadOnlyList<bool> Paths
    )
    {
        public static Settings For(BenchArgs args) =>
            new(
                args.Int("runs", args.Smoke ? 10 : 200),
                args.Int("chunks", args.Smoke ? 5 : 40),
                TimeSpan.FromMilliseconds(args.Int("pace-ms", 25)),
                args.Text("phase", "aligned") switch
                {
                    "aligned" => false,
                    "staggered" => true,
                    var other => throw new ArgumentException($"--phase is aligned or staggered, not '{other}'"),
                },
                args.Int("rounds", args.Smoke ? 1 : 3),
                args.Text("path", "both") switch
                {
                    "both" => [true, false],
                    "skein" => [false],
                    "direct" => [true],
                    var other => throw new ArgumentException($"--path is both, skein or direct, not '{other}'"),
                }
            );
    }

    public static async Task<bool> RunAsync(BenchArgs args, BenchServer server, CancellationToken cancellationToken)
    {
        var settings = Settings.For(args);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await StreamingModelServer.StartAsync(cancellationToken);
        model.Answer = async (call, ct) =>
        {
            await go.Task.WaitAsync(ct);
            if (settings.Staggered)
            {
                await Task.Delay(TimeSpan.FromTicks(Random.Shared.NextInt64(settings.Pace.Ticks)), ct);
            }

            for (var i = 0; i < settings.Chunks; i++)
            {
                // The send time in the text itself: the client needs nothing else to measure.
                await call.SendAsync($"@{Stopwatch.GetTimestamp()} ", ct);
                await Task.Delay(settings.Pace, ct);
            }

            await call.FinishAsync(10, settings.Chunks, ct);
        };
        var agent = await BenchAgent.CreateAsync(
            server,
            new AgentSpec
            {
                Name = "bench-delta",
                ProviderKind = "openai",
                ProviderBaseUrl = model.BaseUrl,
                Model = "gpt-bench",
            },
            cancellationToken
        );
        using var control = server.CreateClient(maxConnections: 8, agent.ApiKey);
        using var streams = server.CreateClient(maxConnections: settings.Runs + 16, agent.ApiKey);
        using var direct = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Runs + 16 });
        var ok = true;
        foreach (var toModel in settings.Paths)
        {
            for (var round = 1; round <= settings.Rounds; round++)
            {
                go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var release = go;
                var label =
                    (toModel ? " (direct)" : "")
                    + (settings.Rounds == 1 ? "" : $" (round {round} of {settings.Rounds})");
                var opens = toModel
                    ? Enumerable.Range(0, settings.Runs).Select(_ => DirectStream(direct, model.BaseUrl)).ToList()
                    : await SkeinStreamsAsync(settings, agent.AgentId, control, streams, cancellationToken);
                ok &= await RoundAsync(settings, toModel, server, opens, release, label, cancellationToken);
            }
        }

        return ok;
    }

    /// <summary>Starts the round's runs; for each, the request that follows its session stream.</summary>
    private static async Task<List<Func<CancellationToken, Task<HttpResponseMessage>>>> SkeinStreamsAsync(
        Settings settings,
        Guid agentId,
        HttpClient control,
        HttpClient streams,
        CancellationToken cancellationToken
    )
    {
        var runIds = await Task.WhenAll(
            Enumerable
                .Range(0, settings.Runs)
                .Select(async _ =>
                {
                    using var start = await control.PostAsJsonAsync(
                        $"/v1/agents/{agentId}/runs",
                        new { input = new { bench = "delta" } },
                        cancellationToken
                    );
                    start.EnsureSuccessStatusCode();
                    return (await start.Content.ReadFromJsonAsync<JsonElement>(cancellationToken))
                        .GetProperty("runId")
                        .GetGuid();
                })
        );
        return
        [
            .. runIds.Select(runId =>
                (Func<CancellationToken, Task<HttpResponseMessage>>)(
                    ct => streams.GetAsync($"/v1/runs/{runId}/stream", HttpCompletionOption.ResponseHeadersRead, ct)
                )
            ),
        ];
    }

    /// <summary>A streamed chat completion asked of the fake itself, as Skein's provider client would.</summary>
    private static Func<CancellationToken, Task<HttpResponseMessage>> DirectStream(HttpClient client, string baseUrl) =>
        ct =>
            client.SendAsync(
                new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/chat/completions")
                {
                    Content = JsonContent.Create(
                        new
                        {
                            model = "gpt-bench",
                            stream = true,
                            messages = new[] { new { role = "user", content = "delta" } },
                        }
                    ),
                },
                HttpCompletionOption.ResponseHeadersRead,
                ct
            );

    private static async Task<bool> RoundAsync(
        Settings settings,
        bool direct,
        BenchServer server,
        List<Func<CancellationToken, Task<HttpResponseMessage>>> opens,
        TaskCompletionSource go,
        string label,
        CancellationToken cancellationToken
    )
    {
        var clients = opens.Select(_ => new DeltaClient(direct)).ToList();
        var reading = clients
            .Zip(opens)
            .Select(p => Task.Run(() => p.First.RunAsync(p.Second, cancellationToken)))
            .ToList();
        await Eventually.Get(
            () => Task.FromResult(clients.Count(c => c.Ready.Task.IsCompleted || c.Error is not null)),
            n => n == clients.Count,
            TimeSpan.FromSeconds(120),
            direct
                ? "every client to get its stream's first chunk"
                : "every client to catch up with its run's model request"
        );

        Console.WriteLine($"delta-latency{label}: {settings.Runs} clients ready; the model starts streaming");
        var cpu = new CpuMeter(server);
        var streaming = Stopwatch.StartNew();
        go.SetResult();
        var all = Task.WhenAll(reading);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(120), cancellationToken)) != all)
        {
            Console.WriteLine("delta-latency: some streams did not end within 120 s");
        }

        streaming.Stop();
        var latency = new Latencies();
        foreach (var client in clients)
        {
            latency.AddRange(client.LatenciesMs);
        }

        var expected = settings.Runs * settings.Chunks;
        var received = clients.Sum(c => c.LatenciesMs.Count);
        var broken = clients.Count(c => c.Error is not null || !c.InOrder || c.LatenciesMs.Count != settings.Chunks);
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"delta-latency{label}: {settings.Runs} streaming runs × {settings.Chunks} chunks every "
                    + $"{settings.Pace.TotalMilliseconds:0} ms ({(settings.Staggered ? "staggered" : "aligned")}) "
                    + $"in {streaming.Elapsed.TotalSeconds:0.0} s; "
                    + $"{received} deltas received of {expected}, {broken} clients with gaps, disorder or errors"
            )
        );
        Console.WriteLine(
            direct
                ? $"delta-latency{label}: model-chunk-to-client (the harness alone, no Skein) {latency.Summarize()}"
                : $"delta-latency{label}: model-chunk-to-SSE-client (through Skein) {latency.Summarize()}"
        );
        Console.WriteLine($"delta-latency{label}: {cpu.Report("delta delivered", Math.Max(1, received))}");
        foreach (var error in clients.Where(c => c.Error is not null).GroupBy(c => c.Error))
        {
            Console.WriteLine($"delta-latency: {error.Count()} × {error.Key}");
        }

        return received == expected && broken == 0;
    }

    /// <summary>One SSE client of one run: ready once it has the model request, then records each delta's latency
    /// (the chunk's send time is its text) until the session completes. <paramref name="direct"/>: a client of the
    /// fake's own stream instead, ready at its first chunk and reading each chunk's content.</summary>
    private sealed class DeltaClient(bool direct)
    {
        private static readonly byte[] TextField = "\"text\":\"@"u8.ToArray();
        private static readonly byte[] ContentField = "\"content\":\"@"u8.ToArray();

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<double> LatenciesMs { get; } = new(64);

        /// <summary>Every delta came before the reasoning step, indexes 0, 1, 2, …</summary>
        public bool InOrder { get; private set; } = true;

        public string? Error { get; private set; }

        private bool _reasoned;

        public async Task RunAsync(
            Func<CancellationToken, Task<HttpResponseMessage>> open,
            CancellationToken cancellationToken
        )
        {
            try
            {
                using var response = await open(cancellationToken);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var buffer = new byte[16 * 1024];
                var filled = 0;
                while (true)
                {
                    if (filled == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    var read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                    if (read == 0)
                    {
                        return;
                    }

                    var received = Stopwatch.GetTimestamp();
                    filled += read;
                    var consumed = Frames(buffer.AsSpan(0, filled), received);
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or FormatException)
            {
                Error = ex.GetType().Name + ": " + ex.Message;
            }
            finally
            {
                Ready.TrySetResult();
            }
        }

        private int Frames(ReadOnlySpan<byte> data, long received)
        {
            var consumed = 0;
            int end;
            while ((end = data[consumed..].IndexOf("\n\n"u8)) >= 0)
            {
                var frame = data.Slice(consumed, end);
                consumed += end + 2;
                if (direct)
                {
                    var at = frame.IndexOf(ContentField);
                    if (at >= 0 && Utf8Parser.TryParse(frame[(at + ContentField.Length)..], out long sent, out _))
                    {
                        LatenciesMs.Add(Stopwatch.GetElapsedTime(sent, received).TotalMilliseconds);
                    }

                    Ready.TrySetResult();
                }
                else if (frame.IndexOf("\"engine.step.delta\""u8) >= 0)
                {
                    var at = frame.IndexOf(TextField);
                    if (at < 0 || !Utf8Parser.TryParse(frame[(at + TextField.Length)..], out long sent, out _))
                    {
                        throw new FormatException("a delta without its send time");
                    }

                    InOrder &= !_reasoned && frame.IndexOf(Index(LatenciesMs.Count)) >= 0;
                    LatenciesMs.Add(Stopwatch.GetElapsedTime(sent, received).TotalMilliseconds);
                }
                else if (frame.IndexOf("\"engine.step.llm_request_prepared\""u8) >= 0)
                {
                    Ready.TrySetResult();
                }
                else if (frame.IndexOf("\"engine.step.reasoning\""u8) >= 0)
                {
                    _reasoned = true;
                }
            }

            return consumed;
        }

        private static byte[] Index(int index) =>
            System.Text.Encoding.UTF8.GetBytes($"\"index\":{index.ToString(CultureInfo.InvariantCulture)},");
    }
}
