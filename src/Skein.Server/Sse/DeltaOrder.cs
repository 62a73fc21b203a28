using Skein.Core.Events;
using Skein.Store.EventLog;

namespace Skein.Server.Sse;

/// <summary>
/// Puts one subscriber's <see cref="StepDelta"/>s in stream order: a delta waits until the reader has sent every
/// event up to the model request it answers (<see cref="StepDelta.After"/>), goes out before the committed
/// <c>reasoning</c> step of its call, and is dropped once that step was sent (the step is the record).
/// </summary>
public sealed class DeltaOrder
{
    private readonly List<SharedDelta> _held = [];
    private readonly List<SharedDelta> _ready = [];
    private Dictionary<Guid, int>? _ended;

    public void Receive(List<SharedDelta> deltas)
    {
        foreach (var delta in deltas)
        {
            if (!IsEnded(delta))
            {
                _held.Add(delta);
            }
        }
    }

    /// <summary>The held deltas the reader may send once it has sent every event up to <paramref name="last"/>,
    /// oldest first. The list is this order's own, valid until the next call: a streaming reader asks once or more
    /// per delta, and a new list each time was an allocation per delta.</summary>
    public List<SharedDelta> Ready(long last)
    {
        _ready.Clear();
        if (_held.Count == 0)
        {
            return _ready;
        }

        // Compacted in place: a predicate closing over last and the list cost an allocation per wake-up, per delta.
        var kept = 0;
        for (var i = 0; i < _held.Count; i++)
        {
            var delta = _held[i];
            if (delta.Delta.After > last)
            {
                _held[kept++] = delta;
            }
            else
            {
                _ready.Add(delta);
            }
        }

        _held.RemoveRange(kept, _held.Count - kept);
        return _ready;
    }

    /// <summary>The reasoning step of the run's call <paramref name="iteration"/> was sent: its deltas, and older
    /// ones, are history.</summary>
    public void End(Guid runId, int iteration)
    {
        var ended = _ended ??= [];
        ended[runId] = Math.Max(iteration, ended.GetValueOrDefault(runId));
        if (_held.Count > 0)
        {
            _held.RemoveAll(IsEnded);
        }
    }

    private bool IsEnded(SharedDelta shared) =>
        _ended is not null && _ended.TryGetValue(shared.Delta.RunId, out var ended) && shared.Delta.Iteration <= ended;
}
