using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Skein.Core;
using Skein.Core.Events;
using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Bench.Micro;

/// <summary>What the append path serializes per step: the event's JSON and the step's full wire content.</summary>
[MemoryDiagnoser]
public class SerializationBenchmarks
{
    private SessionState _state = null!;
    private StepAppended _toolResult = null!;

    [GlobalSetup]
    public void Setup()
    {
        var events = BenchSession.Events();
        _state = SessionFold.Replay(events);
        _toolResult = events.OfType<StepAppended>().First(e => e.Step.Payload is ToolResultStep);
    }

    [Benchmark]
    public string EventJson() => JsonSerializer.Serialize<SessionEvent>(_toolResult, SkeinJson.Options);

    [Benchmark]
    public string StepContentJson() =>
        StepContent.ToJson(_toolResult.Step, _state, _state.Runs[_toolResult.Step.RunId]);

    [Benchmark]
    public string StartContextJson() => JsonSerializer.Serialize(_state.StartContext, SkeinJson.Options);
}
