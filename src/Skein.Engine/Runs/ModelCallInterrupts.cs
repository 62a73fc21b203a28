using System.Collections.Concurrent;

namespace Skein.Engine.Runs;

/// <summary>
/// The model calls in flight on this node, by run, so a message with the <c>interrupt</c> policy can cancel the one
/// its run is waiting for. Only a shortcut: the run's planner already discards an interrupted call's answer (see
/// <see cref="Core.Sessions.SessionDeciderInputs.ReceiveMessage"/>), so a call on another node merely finishes first.
/// </summary>
public sealed class ModelCallInterrupts
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _calls = new();

    /// <summary>Registers the run's model call; dispose the result when the call ends.</summary>
    public Registration Begin(Guid runId)
    {
        var source = new CancellationTokenSource();
        _calls[runId] = source;
        return new Registration(this, runId, source);
    }

    /// <summary>Cancels the run's model call on this node; false when it has none here.</summary>
    public bool Interrupt(Guid runId)
    {
        if (!_calls.TryGetValue(runId, out var source))
        {
            return false;
        }

        try
        {
            source.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            // The call ended meanwhile.
            return false;
        }
    }

    /// <summary>One registered call: <see cref="Token"/> is cancelled by <see cref="Interrupt"/>.</summary>
    public sealed class Registration(ModelCallInterrupts owner, Guid runId, CancellationTokenSource source)
        : IDisposable
    {
        public CancellationToken Token => source.Token;

        public bool Interrupted => source.IsCancellationRequested;

        public void Dispose()
        {
            owner._calls.TryRemove(new KeyValuePair<Guid, CancellationTokenSource>(runId, source));
            source.Dispose();
        }
    }
}
