using System.Net;
using System.Net.Sockets;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Skein.Bench.Throughput;
using Skein.Engine.Telemetry;
using Skein.Testing;

namespace Skein.Bench.Telemetry;

/// <summary>
/// <c>telemetry-overhead</c>: the engine-throughput load with telemetry off, then on (Skein's spans and metrics plus
/// EF Core instrumentation, exported over OTLP/HTTP to a local sink), alternating twice in one process; reports
/// runs/s and CPU per run of each and the on/off ratios (target: at most 10 % slower).
/// </summary>
internal static class TelemetryOverheadCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var smoke = args.Contains("--smoke");
        var options = ThroughputOptions.Parse([.. args]);
        if (!args.Contains("--runs"))
        {
            options = options with { Runs = smoke ? 200 : 2000, Warmup = smoke ? 20 : 1000 };
        }

        if (!args.Contains("--concurrency"))
        {
            options = options with { Concurrency = 64 };
        }

        using var sink = OtlpSink.Start();
        Console.WriteLine(
            $"telemetry-overhead: runs={options.Runs} concurrency={options.Concurrency} warmup={options.Warmup}, "
                + $"OTLP/HTTP to {sink.Endpoint}{(smoke ? " (smoke)" : "")}"
        );
        var off = new List<PhaseCost>();
        var on = new List<PhaseCost>();
        for (var round = 0; round < 2; round++)
        {
            off.Add(await MeasureAsync(null, options, cancellationToken));
            on.Add(await MeasureAsync(sink.Endpoint, options, cancellationToken));
        }

        var bestOff = off.MaxBy(c => c.RunsPerSecond)!;
        var bestOn = on.MaxBy(c => c.RunsPerSecond)!;
        Console.WriteLine($"off: {string.Join(" | ", off.Select(Line))}");
        Console.WriteLine($"on:  {string.Join(" | ", on.Select(Line))}");
        Console.WriteLine(
            $"telemetry on/off (best of 2): throughput {bestOn.RunsPerSecond / bestOff.RunsPerSecond:P1}, "
                + $"CPU per run {bestOn.CpuMillisecondsPerRun / bestOff.CpuMillisecondsPerRun:P1}, "
                + $"allocated per run {bestOn.AllocatedKilobytesPerRun / bestOff.AllocatedKilobytesPerRun:P1}; "
                + $"OTLP requests received: {sink.Requests}"
        );
        return sink.Requests > 0 ? 0 : 1;
    }

    private static string Line(PhaseCost c) =>
        $"{c.RunsPerSecond:N0} runs/s, CPU {c.CpuMillisecondsPerRun:0.00} ms/run, "
        + $"{c.AllocatedKilobytesPerRun:N0} KB/run";

    private static async Task<PhaseCost> MeasureAsync(
        Uri? endpoint,
        ThroughputOptions options,
        CancellationToken cancellationToken
    )
    {
        using var tracing = endpoint is null
            ? null
            : Sdk.CreateTracerProviderBuilder()
                .AddSource(SkeinTelemetry.Name)
                .AddEntityFrameworkCoreInstrumentation()
                .AddOtlpExporter(o => Point(o, endpoint, "v1/traces"))
                .Build();
        using var metrics = endpoint is null
            ? null
            : Sdk.CreateMeterProviderBuilder()
                .AddMeter(SkeinTelemetry.Name)
                .AddOtlpExporter(
                    (o, reader) =>
                    {
                        Point(o, endpoint, "v1/metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 1000;
                    }
                )
                .Build();
        using var dir = new TempDirectory("skein-bench-otel");
        var result = await EngineThroughput.RunAsync(dir.File("engine.db"), options, cancellationToken);
        return result.Cost;
    }

    private static void Point(OtlpExporterOptions o, Uri endpoint, string path)
    {
        o.Protocol = OtlpExportProtocol.HttpProtobuf;
        o.Endpoint = new Uri(endpoint, path);
    }

    /// <summary>An OTLP/HTTP endpoint that reads and acknowledges every export (a collector's receive cost, no
    /// processing).</summary>
    private sealed class OtlpSink : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _requests;

        private OtlpSink(int port)
        {
            Endpoint = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Endpoint.ToString());
        }

        public Uri Endpoint { get; }

        public int Requests => Volatile.Read(ref _requests);

        public static OtlpSink Start()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var sink = new OtlpSink(port);
            sink._listener.Start();
            _ = sink.AcceptAsync();
            return sink;
        }

        private async Task AcceptAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                await context.Request.InputStream.CopyToAsync(Stream.Null);
                Interlocked.Increment(ref _requests);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
