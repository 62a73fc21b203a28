using System.Diagnostics;
using System.Diagnostics.Metrics;
using Skein.Core.Events;
using Skein.Core.Runs;

namespace Skein.Engine.Telemetry;

/// <summary>
/// The engine's Meter (<see cref="SkeinTelemetry.Name"/>): the GenAI client metrics of every model call and
/// Skein's own counters. Recording costs a few nanoseconds when nothing listens (no <c>/metrics</c>, no exporter).
/// </summary>
public sealed class SkeinMetrics
{
    // Bucket boundaries advised by the GenAI semantic conventions.
    private static readonly IReadOnlyList<double> DurationBuckets =
    [
        0.01,
        0.02,
        0.04,
        0.08,
        0.16,
        0.32,
        0.64,
        1.28,
        2.56,
        5.12,
        10.24,
        20.48,
        40.96,
        81.92,
    ];
    private static readonly IReadOnlyList<long> TokenBuckets =
    [
        1,
        4,
        16,
        64,
        256,
        1024,
        4096,
        16384,
        65536,
        262144,
        1048576,
        4194304,
        16777216,
        67108864,
    ];
    private static readonly IReadOnlyList<double> AppendBuckets =
    [
        0.0005,
        0.001,
        0.0025,
        0.005,
        0.01,
        0.025,
        0.05,
        0.1,
        0.25,
        0.5,
        1,
        2.5,
    ];

    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _operationDuration;
    private readonly Counter<long> _runsStarted;
    private readonly Counter<long> _runsFinished;
    private readonly Histogram<double> _appendDuration;
    private readonly UpDownCounter<long> _sseSubscribers;
    private readonly Counter<long> _triggerIngress;

    public SkeinMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(SkeinTelemetry.Name);
        _tokenUsage = meter.CreateHistogram(
            "gen_ai.client.token.usage",
            "{token}",
            "Tokens used by a model call, by gen_ai.token.type (input, output)",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets }
        );
        _operationDuration = meter.CreateHistogram(
            "gen_ai.client.operation.duration",
            "s",
            "Duration of a model call",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets }
        );
        _runsStarted = meter.CreateCounter<long>("skein.runs.started", "{run}", "Runs started (root and child)");
        _runsFinished = meter.CreateCounter<long>(
            "skein.runs.finished",
            "{run}",
            "Runs that reached a terminal status, by skein.run.status"
        );
        _appendDuration = meter.CreateHistogram(
            "skein.event_log.append.duration",
            "s",
            "Time to commit one change to the event log",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AppendBuckets }
        );
        _sseSubscribers = meter.CreateUpDownCounter<long>(
            "skein.sse.subscribers",
            "{connection}",
            "Open server-sent event streams"
        );
        _triggerIngress = meter.CreateCounter<long>(
            "skein.trigger.ingress",
            "{request}",
            "Trigger start attempts, by skein.trigger.outcome"
        );
        Meter = meter;
    }

    /// <summary>The meter, for the observable gauges other components add (sessions, user tasks).</summary>
    public Meter Meter { get; }

    public void ModelCall(in TagList tags, double seconds, long? inputTokens, long? outputTokens)
    {
        _operationDuration.Record(seconds, tags);
        if (inputTokens is { } input)
        {
            var t = tags;
            t.Add(GenAi.TokenType, "input");
            _tokenUsage.Record(input, t);
        }

        if (outputTokens is { } output)
        {
            var t = tags;
            t.Add(GenAi.TokenType, "output");
            _tokenUsage.Record(output, t);
        }
    }

    /// <summary>Counts the runs a committed change started and finished, and how long its append took.</summary>
    public void Committed(IReadOnlyList<SessionEvent> events, long startTimestamp)
    {
        _appendDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        foreach (var e in events)
        {
            switch (e)
            {
                case RunStarted:
                    _runsStarted.Add(1);
                    break;
                case RunStatusChanged c when RunStatusMachine.IsTerminal(c.To):
                    _runsFinished.Add(1, new KeyValuePair<string, object?>("skein.run.status", StatusName(c.To)));
                    SkeinTelemetry.RunFinished(c.RunId);
                    break;
            }
        }
    }

    public void SseSubscriber(int delta) => _sseSubscribers.Add(delta);

    public void TriggerIngress(string outcome) =>
        _triggerIngress.Add(1, new KeyValuePair<string, object?>("skein.trigger.outcome", outcome));

    private static string StatusName(RunStatus status) =>
        status switch
        {
            RunStatus.Completed => "Completed",
            RunStatus.Failed => "Failed",
            RunStatus.Terminated => "Terminated",
            _ => status.ToString(),
        };
}
