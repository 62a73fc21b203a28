using BenchmarkDotNet.Attributes;
using Skein.Core.Events;
using Skein.Core.Sessions;

namespace Skein.Bench.Micro;

/// <summary>The pure fold every decision runs once per event, and a full replay (a session load).</summary>
[MemoryDiagnoser]
public class SessionFoldBenchmarks
{
    private IReadOnlyList<SessionEvent> _events = [];
    private SessionState _beforeLastStep = null!;
    private SessionEvent _lastStep = null!;

    [GlobalSetup]
    public void Setup()
    {
        _events = BenchSession.Events();
        var lastStepIndex = _events.Select((e, i) => (e, i)).Last(x => x.e is StepAppended).i;
        _beforeLastStep = SessionFold.Replay(_events.Take(lastStepIndex));
        _lastStep = _events[lastStepIndex];
    }

    [Benchmark]
    public SessionState ApplyStep() => SessionFold.Apply(_beforeLastStep, _lastStep);

    [Benchmark]
    public SessionState ReplayRun() => SessionFold.Replay(_events);
}
