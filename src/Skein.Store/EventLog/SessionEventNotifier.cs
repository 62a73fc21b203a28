using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Skein.Store.EventLog;

/// <summary>
/// Wakes readers when a session's stream grows. A signal carries no event: readers fetch events from
/// the store after the last sequence they saw, so coalesced or missed signals never lose an event and
/// a slow reader costs one pending signal, not a growing buffer.
/// </summary>
public sealed class SessionEventNotifier
{
    private static readonly Guid AllSessions = Guid.Empty;
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<Subscription, byte>> _subscribers = new();

    /// <summary>Signals for one session; <see cref="Guid.Empty"/> means every session (for list views).</summary>
    public Subscription Subscribe(Guid sessionId)
    {
        var subscription = new Subscription(this, sessionId);
        _subscribers.GetOrAdd(sessionId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    public Subscription SubscribeAll() => Subscribe(AllSessions);

    public void Publish(Guid sessionId, long lastSequence)
    {
        Signal(sessionId, sessionId, lastSequence);
        Signal(AllSessions, sessionId, lastSequence);
    }

    private void Signal(Guid key, Guid sessionId, long lastSequence)
    {
        if (_subscribers.TryGetValue(key, out var subs))
        {
            foreach (var sub in subs.Keys)
            {
                sub.Writer.TryWrite(new SessionSignal(sessionId, lastSequence));
            }
        }
    }

    private void Unsubscribe(Subscription subscription)
    {
        if (_subscribers.TryGetValue(subscription.SessionId, out var subs))
        {
            subs.TryRemove(subscription, out _);
        }
    }

    public sealed class Subscription : IDisposable
    {
        private readonly SessionEventNotifier _owner;
        private readonly Channel<SessionSignal> _channel = Channel.CreateBounded<SessionSignal>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        internal Subscription(SessionEventNotifier owner, Guid sessionId)
        {
            _owner = owner;
            SessionId = sessionId;
        }

        public Guid SessionId { get; }

        internal ChannelWriter<SessionSignal> Writer => _channel.Writer;

        /// <summary>Completes when something was appended since the last wait (or at once if it already was).</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            try
            {
                await _channel.Reader.ReadAsync(timer.Token);
                return true;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        public void Dispose() => _owner.Unsubscribe(this);
    }
}

public readonly record struct SessionSignal(Guid SessionId, long LastSequence);
