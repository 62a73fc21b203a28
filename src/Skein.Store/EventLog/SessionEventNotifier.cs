using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Skein.Core.Events;

namespace Skein.Store.EventLog;

/// <summary>
/// Wakes readers when a session's stream grows. A signal carries no event: readers fetch events after the
/// last sequence they saw, so coalesced or missed signals never lose an event and a slow reader costs one
/// pending signal, not a growing buffer. While a session has subscribers it also keeps the tail of what
/// this node committed to it, so many readers of one live session share those events instead of each
/// querying the store for them (<see cref="Subscription.RecentAfter"/>).
/// It also carries the transient side channel of model text being generated (<see cref="StepDelta"/>): never
/// stored, held per subscriber in a small bounded queue that drops its oldest piece when the reader is slow, so
/// publishing never waits for a reader.
/// </summary>
/// <remarks>
/// A wait's timeout costs no timer of its own: a thousand subscribers of a live session each wait once per commit,
/// and a linked token source with its own timer per wait cost more than the wake-up. One sweep every
/// <see cref="TimeoutResolution"/> wakes the waits whose time is up instead, so a timeout ends up to that much late.
/// </remarks>
public sealed class SessionEventNotifier : IDisposable
{
    /// <summary>Events kept per watched session; a reader further behind than this reads the store.</summary>
    public const int TailCapacity = 256;

    /// <summary>How often waits are checked for their timeout.</summary>
    public static readonly TimeSpan TimeoutResolution = TimeSpan.FromMilliseconds(250);

    private readonly Lock _sweepLock = new();
    private Timer? _sweep;
    private bool _disposed;

    private static readonly Guid AllSessions = Guid.Empty;
    private readonly ConcurrentDictionary<Guid, Feed> _feeds = new();

    /// <summary>Subscribers of one session woken per thread-pool work item (see <see cref="Feed.Signal"/>).</summary>
    public const int WakeSlice = 16;

    /// <summary>Step deltas held per subscriber; a reader further behind loses the oldest (its indexes show the
    /// gap).</summary>
    public const int DeltaCapacity = 1024;

    /// <summary>Signals for one session; <see cref="Guid.Empty"/> means every session (for list views). With
    /// <paramref name="deltas"/> the subscription also receives the session's <see cref="StepDelta"/>s.</summary>
    public Subscription Subscribe(Guid sessionId, bool deltas = false)
    {
        while (true)
        {
            var feed = _feeds.GetOrAdd(sessionId, _ => new Feed());
            var subscription = new Subscription(this, sessionId, feed, deltas);
            if (feed.TryAdd(subscription))
            {
                return subscription;
            }

            // The last subscriber left and retired this feed meanwhile: take the next one.
            _feeds.TryRemove(new KeyValuePair<Guid, Feed>(sessionId, feed));
        }
    }

    public Subscription SubscribeAll() => Subscribe(AllSessions);

    /// <summary>Called once per commit, in commit order, with the committed events of one session.</summary>
    public void Publish(Guid sessionId, IReadOnlyList<StoredEvent> committed)
    {
        if (_feeds.TryGetValue(sessionId, out var feed))
        {
            feed.Append(committed);
            feed.Signal(committed.Count > 0 ? committed[^1].Sequence : long.MaxValue);
        }

        if (_feeds.TryGetValue(AllSessions, out var all))
        {
            all.Signal(long.MaxValue);
        }
    }

    /// <summary>
    /// A piece of model text being generated for the session: handed to its delta subscribers on this node and
    /// forgotten. Costs a lookup when nobody watches; never blocks (see <see cref="DeltaCapacity"/>).
    /// </summary>
    public void PublishDelta(Guid sessionId, StepDelta delta)
    {
        if (_feeds.TryGetValue(sessionId, out var feed))
        {
            feed.Offer(delta);
        }
    }

    /// <summary>
    /// Another node committed to the session: wake its readers, and drop this node's tail of it (no longer
    /// complete), so they read the new events from the store.
    /// </summary>
    public void PublishExternal(Guid sessionId)
    {
        if (_feeds.TryGetValue(sessionId, out var feed))
        {
            feed.Invalidate();
            feed.Signal(long.MaxValue);
        }

        if (_feeds.TryGetValue(AllSessions, out var all))
        {
            all.Signal(long.MaxValue);
        }
    }

    /// <summary>Commits may have been missed (a listener reconnected): every reader reads the store again.</summary>
    public void PublishExternalToAll()
    {
        foreach (var (_, feed) in _feeds)
        {
            feed.Invalidate();
            feed.Signal(long.MaxValue);
        }
    }

    /// <summary>Starts the timeout sweep the first time anything waits.</summary>
    private void EnsureSweeping()
    {
        if (Volatile.Read(ref _sweep) is not null)
        {
            return;
        }

        lock (_sweepLock)
        {
            if (_sweep is null && !_disposed)
            {
                Volatile.Write(ref _sweep, new Timer(_ => Sweep(), null, TimeoutResolution, TimeoutResolution));
            }
        }
    }

    private void Sweep()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var (_, feed) in _feeds)
        {
            feed.TimeOutDue(now);
        }
    }

    public void Dispose()
    {
        lock (_sweepLock)
        {
            _disposed = true;
            _sweep?.Dispose();
        }
    }

    private void Unsubscribe(Subscription subscription)
    {
        if (subscription.Feed.Remove(subscription))
        {
            _feeds.TryRemove(new KeyValuePair<Guid, Feed>(subscription.SessionId, subscription.Feed));
        }
    }

    /// <summary>One watched session: its subscribers and the contiguous tail of events committed here.</summary>
    internal sealed class Feed
    {
        private readonly HashSet<Subscription> _subscribers = [];
        private Subscription[] _snapshot = [];
        private StoredEvent[] _tail = [];
        private bool _retired;

        public bool TryAdd(Subscription subscription)
        {
            lock (_subscribers)
            {
                if (_retired)
                {
                    return false;
                }

                _subscribers.Add(subscription);
                _snapshot = [.. _subscribers];
                return true;
            }
        }

        /// <summary>True when this was the last subscriber: the feed is retired and its tail dropped.</summary>
        public bool Remove(Subscription subscription)
        {
            lock (_subscribers)
            {
                if (_subscribers.Remove(subscription))
                {
                    _snapshot = [.. _subscribers];
                }

                if (_subscribers.Count > 0 || _retired)
                {
                    return false;
                }

                _retired = true;
                _tail = [];
                return true;
            }
        }

        /// <summary>
        /// Appends in commit order. A sequence that does not follow the tail's last one (another node wrote
        /// in between) starts a new tail, so the tail never has a gap.
        /// </summary>
        public void Append(IReadOnlyList<StoredEvent> committed)
        {
            if (committed.Count == 0)
            {
                return;
            }

            lock (_subscribers)
            {
                var tail = Volatile.Read(ref _tail);
                StoredEvent[] next =
                    tail.Length > 0 && tail[^1].Sequence + 1 == committed[0].Sequence
                        ? [.. tail, .. committed]
                        : [.. committed];
                Volatile.Write(ref _tail, next.Length > TailCapacity ? next[^TailCapacity..] : next);
            }
        }

        public void Invalidate()
        {
            lock (_subscribers)
            {
                Volatile.Write(ref _tail, []);
            }
        }

        public void TimeOutDue(long now)
        {
            foreach (var subscriber in Volatile.Read(ref _snapshot))
            {
                subscriber.TimeOutIfDue(now);
            }
        }

        /// <summary>Wakes the subscribers that have not read up to <paramref name="through"/> yet.</summary>
        public void Signal(long through) => Wake(new WakePass(Volatile.Read(ref _snapshot), 0, through));

        /// <summary>
        /// Wakes up to <see cref="WakeSlice"/> subscribers, then queues the rest behind the work already waiting
        /// for the thread pool. Each wake-up is a work item too: woken all at once, a thousand readers of one session
        /// would queue ahead of the run that feeds them, whose next commit then waits for every one of them (its
        /// burst of events stretched over the whole fan-out, and each reader woken once per commit instead of once
        /// per burst).
        /// </summary>
        private static void Wake(WakePass pass)
        {
            var end = Math.Min(pass.From + WakeSlice, pass.Subscribers.Length);
            for (var i = pass.From; i < end; i++)
            {
                pass.Subscribers[i].SignalCommit(pass.Through);
            }

            if (end < pass.Subscribers.Length)
            {
                ThreadPool.UnsafeQueueUserWorkItem(Wake, pass with { From = end }, preferLocal: false);
            }
        }

        private readonly record struct WakePass(Subscription[] Subscribers, int From, long Through);

        public void Offer(StepDelta delta)
        {
            foreach (var subscriber in Volatile.Read(ref _snapshot))
            {
                subscriber.Offer(delta);
            }
        }

        public IReadOnlyList<StoredEvent>? After(long sequence)
        {
            var tail = Volatile.Read(ref _tail);
            if (tail.Length == 0 || tail[0].Sequence > sequence + 1)
            {
                return null;
            }

            var from = (int)Math.Min(sequence + 1 - tail[0].Sequence, tail.Length);
            return new ArraySegment<StoredEvent>(tail, from, tail.Length - from);
        }
    }

    public sealed class Subscription : IDisposable
    {
        private readonly SessionEventNotifier _owner;
        private long _timeoutAt = long.MaxValue;
        private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true }
        );

        private readonly Queue<StepDelta>? _deltas;
        private int _committed;
        private long _seen = -1;

        internal Subscription(SessionEventNotifier owner, Guid sessionId, Feed feed, bool deltas)
        {
            _owner = owner;
            SessionId = sessionId;
            Feed = feed;
            _deltas = deltas ? new Queue<StepDelta>() : null;
        }

        public Guid SessionId { get; }

        internal Feed Feed { get; }

        internal void SignalCommit(long through)
        {
            // A reader that already read past this commit (it woke for an earlier one and found this one too) would
            // only wake to find nothing new.
            if (Volatile.Read(ref _seen) >= through)
            {
                return;
            }

            Volatile.Write(ref _committed, 1);
            _channel.Writer.TryWrite(true);
        }

        internal void Offer(StepDelta delta)
        {
            if (_deltas is null)
            {
                return;
            }

            lock (_deltas)
            {
                if (_deltas.Count >= DeltaCapacity)
                {
                    _deltas.Dequeue();
                }

                _deltas.Enqueue(delta);
            }

            _channel.Writer.TryWrite(true);
        }

        /// <summary>
        /// Whether a commit was signalled since the last call: a wake-up that brought only
        /// deltas needs no read of events. A commit signalled while the caller reads is reported again next time.
        /// </summary>
        public bool TakeCommitSignal() => Interlocked.Exchange(ref _committed, 0) == 1;

        /// <summary>The deltas received since the last call, oldest first (empty without a delta
        /// subscription).</summary>
        public StepDelta[] TakeDeltas()
        {
            if (_deltas is null)
            {
                return [];
            }

            lock (_deltas)
            {
                if (_deltas.Count == 0)
                {
                    return [];
                }

                var taken = _deltas.ToArray();
                _deltas.Clear();
                return taken;
            }
        }

        /// <summary>
        /// True when something was appended since the last wait (at once if it already was); false when
        /// <paramref name="timeout"/> passed first (up to <see cref="TimeoutResolution"/> later).
        /// </summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (_channel.Reader.TryRead(out var signalled))
            {
                return signalled;
            }

            Volatile.Write(
                ref _timeoutAt,
                Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency)
            );
            _owner.EnsureSweeping();
            try
            {
                return await _channel.Reader.ReadAsync(cancellationToken);
            }
            finally
            {
                Volatile.Write(ref _timeoutAt, long.MaxValue);
            }
        }

        /// <summary>Ends a wait whose time is up. Never drops a pending signal; a timeout that races one only makes
        /// the reader look at the store once more.</summary>
        internal void TimeOutIfDue(long now)
        {
            if (now >= Volatile.Read(ref _timeoutAt) && !_channel.Reader.TryPeek(out _))
            {
                _channel.Writer.TryWrite(false);
            }
        }

        /// <summary>
        /// The session's events after <paramref name="sequence"/> that this node committed since the first
        /// subscriber came, or null when they may not all be here (the reader is too far behind, or another
        /// node wrote in between): then read the store. Commits of other nodes are signalled through
        /// <see cref="PublishExternal"/> where the store announces them (PostgreSQL) but never shared here; a
        /// reader still reads the store on its first pass and after a wait that timed out.
        /// </summary>
        public IReadOnlyList<StoredEvent>? RecentAfter(long sequence) => Feed.After(sequence);

        /// <summary>The reader has every event up to <paramref name="sequence"/>: commits up to there need not wake
        /// it. A reader that never says so is woken by every commit.</summary>
        public void Seen(long sequence) => Volatile.Write(ref _seen, sequence);

        public void Dispose() => _owner.Unsubscribe(this);
    }
}
