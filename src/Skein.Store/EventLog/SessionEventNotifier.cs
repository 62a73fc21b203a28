using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
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
/// stored, held per session in a small shared ring that overwrites its oldest piece, so publishing never waits for a
/// reader and a slow reader loses the oldest pieces.
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

    /// <summary>Subscribers of one session woken per thread-pool work item (see <see cref="Feed.Wake"/>).</summary>
    public const int WakeSlice = 16;

    /// <summary>Step deltas held per watched session; a reader further behind loses the oldest (its indexes show the
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
            if (committed.Count > 0)
            {
                feed.Signal(committed[^1].Sequence);
            }
            else
            {
                feed.SignalEveryone();
            }
        }

        if (_feeds.TryGetValue(AllSessions, out var all))
        {
            all.SignalEveryone();
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
            feed.SignalEveryone();
        }

        if (_feeds.TryGetValue(AllSessions, out var all))
        {
            all.SignalEveryone();
        }
    }

    /// <summary>Commits may have been missed (a listener reconnected): every reader reads the store again.</summary>
    public void PublishExternalToAll()
    {
        foreach (var (_, feed) in _feeds)
        {
            feed.Invalidate();
            feed.SignalEveryone();
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

    /// <summary>One watched session: its subscribers, the contiguous tail of events committed here and the ring of
    /// model text being generated.</summary>
    internal sealed class Feed
    {
        private readonly HashSet<Subscription> _subscribers = [];
        private Subscription[] _snapshot = [];
        private StoredEvent[] _tail = [];
        private bool _retired;
        private int _deltaSubscribers;

        // What wake-up rounds bring the subscribers up to: the last sequence committed here, the number of deltas
        // offered, and how many times everyone had to be woken regardless.
        private long _committed = -1;
        private long _forced;
        private readonly Lock _deltaLock = new();
        private SharedDelta[]? _deltas;
        private long _deltaCount;

        // One round at a time: 1 in _rounding while a round is queued or running; 1 in _again when something arrived
        // since the running round began (it takes another).
        private int _rounding;
        private int _again;

        public long Committed => Volatile.Read(ref _committed);

        public long Forced => Volatile.Read(ref _forced);

        public long DeltaCount => Volatile.Read(ref _deltaCount);

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
                if (subscription.WantsDeltas)
                {
                    lock (_deltaLock)
                    {
                        // Counted and placed in one step: a lone reader's taking frees slots only it could read.
                        _deltaSubscribers++;
                        subscription.StartDeltasAt(_deltaCount);
                    }
                }

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
                    if (subscription.WantsDeltas)
                    {
                        lock (_deltaLock)
                        {
                            _deltaSubscribers--;
                        }
                    }
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

        /// <summary>Events up to <paramref name="through"/> were committed here (and appended to the tail): wakes the
        /// subscribers that have not read them.</summary>
        public void Signal(long through)
        {
            var committed = Volatile.Read(ref _committed);
            while (through > committed)
            {
                var seen = Interlocked.CompareExchange(ref _committed, through, committed);
                if (seen == committed)
                {
                    break;
                }

                committed = seen;
            }

            StartRound();
        }

        /// <summary>Wakes every subscriber once, whatever it has read (another node's commit, a missed one, any
        /// session's commit for the all-sessions feed).</summary>
        public void SignalEveryone()
        {
            Interlocked.Increment(ref _forced);
            StartRound();
        }

        /// <summary>A piece of model text for the session's delta subscribers; nothing when there are none.</summary>
        public void Offer(StepDelta delta)
        {
            if (Volatile.Read(ref _deltaSubscribers) == 0)
            {
                return;
            }

            lock (_deltaLock)
            {
                var ring = _deltas ??= new SharedDelta[DeltaCapacity];
                ring[_deltaCount % DeltaCapacity] = new SharedDelta(delta);
                Volatile.Write(ref _deltaCount, _deltaCount + 1);
            }

            StartRound();
        }

        /// <summary>Adds the deltas after the <paramref name="cursor"/>-th one still in the ring to
        /// <paramref name="into"/>, oldest first; returns the cursor after them.</summary>
        public long DeltasAfter(long cursor, List<SharedDelta> into)
        {
            lock (_deltaLock)
            {
                var from = Math.Max(cursor, _deltaCount - DeltaCapacity);

                // The only reader (the usual API stream) frees what it took: a piece kept until the ring came round
                // lived long enough to be promoted to gen2 and die there (a 1,024-piece ring per streaming session).
                var lone = _deltaSubscribers == 1;
                for (var i = from; i < _deltaCount; i++)
                {
                    ref var slot = ref _deltas![i % DeltaCapacity];
                    into.Add(slot);
                    if (lone)
                    {
                        slot = null!;
                    }
                }

                return _deltaCount;
            }
        }

        /// <summary>
        /// Starts a wake-up round unless one is under way; a round under way takes another when it ends, so whatever
        /// arrived while it ran reaches every subscriber. The first slice runs on the caller (a session with a few
        /// readers costs no thread hop), the rest as thread-pool work items.
        /// </summary>
        private void StartRound()
        {
            Interlocked.Exchange(ref _again, 1);
            if (Interlocked.CompareExchange(ref _rounding, 1, 0) == 0)
            {
                Wake(new Round(this, Volatile.Read(ref _snapshot), 0));
            }
        }

        /// <summary>
        /// Wakes up to <see cref="WakeSlice"/> subscribers, each only if it is behind what the feed holds now, then
        /// queues the rest behind the work already waiting for the thread pool. One round at a time, each slice
        /// reading the feed's latest state, so a burst of commits wakes each reader about once: started per commit,
        /// rounds over a thousand readers would wake the first ones once per commit while the last waited behind every
        /// round, and queued all at once the wake-ups would hold up the run that feeds them (its burst of events
        /// stretched over the whole fan-out).
        /// </summary>
        private static void Wake(Round round)
        {
            var feed = round.Feed;
            if (round.From == 0)
            {
                Interlocked.Exchange(ref feed._again, 0);
            }

            var (committed, forced, deltas) = (feed.Committed, feed.Forced, feed.DeltaCount);
            var end = Math.Min(round.From + WakeSlice, round.Subscribers.Length);
            for (var i = round.From; i < end; i++)
            {
                round.Subscribers[i].Wake(committed, forced, deltas);
            }

            if (end < round.Subscribers.Length)
            {
                ThreadPool.UnsafeQueueUserWorkItem(Wake, round with { From = end }, preferLocal: false);
                return;
            }

            // The round is over; another if anything arrived since it began (a signal that comes after this
            // exchange finds no round and starts one itself).
            Interlocked.Exchange(ref feed._rounding, 0);
            if (Volatile.Read(ref feed._again) == 1 && Interlocked.CompareExchange(ref feed._rounding, 1, 0) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(
                    Wake,
                    new Round(feed, Volatile.Read(ref feed._snapshot), 0),
                    preferLocal: false
                );
            }
        }

        private readonly record struct Round(Feed Feed, Subscription[] Subscribers, int From);

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

        private int _committed;
        private long _seen = -1;

        // Written only by the feed's wake-up round (one at a time): what this subscriber was last woken for.
        private long _signalled = -1;
        private long _forced;

        private long _deltaCursor;

        private CancellationToken _cancels;
        private CancellationTokenRegistration _cancelled;

        internal Subscription(SessionEventNotifier owner, Guid sessionId, Feed feed, bool deltas)
        {
            _owner = owner;
            SessionId = sessionId;
            Feed = feed;
            WantsDeltas = deltas;
            _forced = feed.Forced;
        }

        public Guid SessionId { get; }

        internal Feed Feed { get; }

        internal bool WantsDeltas { get; }

        /// <summary>
        /// Wakes this reader if the feed holds something it has not read or been woken for: a commit past what it
        /// has seen (a reader that woke for an earlier commit and found this one too would only wake to find nothing
        /// new), a forced wake-up, or, for a delta subscriber, deltas past its cursor.
        /// </summary>
        internal void Wake(long committed, long forced, long deltas)
        {
            var commit = committed > Math.Max(Volatile.Read(ref _seen), _signalled) || forced > _forced;
            var delta = WantsDeltas && deltas > Volatile.Read(ref _deltaCursor);
            if (commit)
            {
                _signalled = committed;
                _forced = forced;
                Volatile.Write(ref _committed, 1);
            }

            if (commit || delta)
            {
                _channel.Writer.TryWrite(true);
            }
        }

        /// <summary>
        /// Whether a commit was signalled since the last call: a wake-up that brought only
        /// deltas needs no read of events. A commit signalled while the caller reads is reported again next time.
        /// </summary>
        public bool TakeCommitSignal() => Interlocked.Exchange(ref _committed, 0) == 1;

        /// <summary>Where this reader's deltas begin: the next one offered (set as the feed counts it).</summary>
        internal void StartDeltasAt(long cursor) => Volatile.Write(ref _deltaCursor, cursor);

        /// <summary>The deltas offered since the last call (or since subscribing), oldest first; empty without a
        /// delta subscription.</summary>
        public SharedDelta[] TakeDeltas()
        {
            var taken = new List<SharedDelta>();
            TakeDeltas(taken);
            return [.. taken];
        }

        /// <summary>As above, added to <paramref name="into"/>: a streaming reader takes a delta per wake-up, and
        /// reuses its list.</summary>
        public void TakeDeltas(List<SharedDelta> into)
        {
            // Most wake-ups are for commits: nothing new in the ring costs no lock.
            if (!WantsDeltas || Volatile.Read(ref _deltaCursor) >= Feed.DeltaCount)
            {
                return;
            }

            Volatile.Write(ref _deltaCursor, Feed.DeltasAfter(Volatile.Read(ref _deltaCursor), into));
        }

        /// <summary>
        /// True when something was appended since the last wait (at once if it already was); false when
        /// <paramref name="timeout"/> passed first (up to <see cref="TimeoutResolution"/> later). One reader waits at
        /// a time.
        /// </summary>
        /// <remarks>Allocation-free per wait, since a streaming session's reader waits once per delta: the state
        /// machine is pooled, and the read takes no token (a cancelable read allocates its waiter each time); the
        /// token's one registration wakes it instead.</remarks>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public async ValueTask<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (_channel.Reader.TryRead(out var signalled))
            {
                return signalled;
            }

            cancellationToken.ThrowIfCancellationRequested();
            WakeOnCancel(cancellationToken);
            Volatile.Write(
                ref _timeoutAt,
                Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency)
            );
            _owner.EnsureSweeping();
            try
            {
                var woke = await _channel.Reader.ReadAsync(CancellationToken.None);
                cancellationToken.ThrowIfCancellationRequested();
                return woke;
            }
            finally
            {
                Volatile.Write(ref _timeoutAt, long.MaxValue);
            }
        }

        /// <summary>Registers the reader's token once (readers pass the same one, their request's, each
        /// time).</summary>
        private void WakeOnCancel(CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled || cancellationToken == _cancels)
            {
                return;
            }

            _cancelled.Dispose();
            _cancels = cancellationToken;
            _cancelled = cancellationToken.UnsafeRegister(
                static state => ((Subscription)state!)._channel.Writer.TryWrite(false),
                this
            );
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
        /// it. A reader that never says so is woken once for each commit it was not woken for yet (several at a time
        /// when they come fast).</summary>
        public void Seen(long sequence) => Volatile.Write(ref _seen, sequence);

        public void Dispose()
        {
            _cancelled.Dispose();
            _owner.Unsubscribe(this);
        }
    }
}
