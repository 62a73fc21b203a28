using System.Runtime.CompilerServices;
using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Server.Sse;
using Skein.Store.EventLog;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

/// <summary>
/// The notifier's per-session tail that SSE subscribers share: it may only answer when it provably holds
/// every event after the reader's position; otherwise the reader goes to the store.
/// </summary>
public sealed class SharedStreamTailTests
{
    private static readonly Guid Session = Guid.NewGuid();

    private static List<StoredEvent> Events(long from, long to) =>
        [
            .. Enumerable
                .Range((int)from, (int)(to - from + 1))
                .Select(sequence => new StoredEvent(
                    sequence,
                    new RunStatusChanged
                    {
                        At = DateTimeOffset.UnixEpoch,
                        Actor = "engine",
                        RunId = Guid.Empty,
                        From = RunStatus.Running,
                        To = RunStatus.Running,
                    }
                )),
        ];

    private static long[] Sequences(IReadOnlyList<StoredEvent>? events)
    {
        Assert.NotNull(events);
        return [.. events.Select(e => e.Sequence)];
    }

    [Fact]
    public async Task Events_committed_after_subscribing_are_served_from_the_tail_and_signalled()
    {
        var notifier = new SessionEventNotifier();
        using var subscription = notifier.Subscribe(Session);

        notifier.Publish(Session, Events(1, 3));

        Assert.True(await subscription.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.Equal([1, 2, 3], Sequences(subscription.RecentAfter(0)));
        Assert.Equal([3], Sequences(subscription.RecentAfter(2)));
        Assert.Equal([], Sequences(subscription.RecentAfter(3)));
    }

    [Fact]
    public async Task Every_subscriber_of_a_widely_watched_session_is_woken_past_the_first_slice_too()
    {
        var notifier = new SessionEventNotifier();
        var subscriptions = Enumerable
            .Range(0, SessionEventNotifier.WakeSlice * 3 + 5)
            .Select(_ => notifier.Subscribe(Session))
            .ToList();
        try
        {
            notifier.Publish(Session, Events(1, 1));

            var woken = await Task.WhenAll(
                subscriptions.Select(s =>
                    s.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken).AsTask()
                )
            );
            Assert.All(woken, Assert.True);
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Commits_that_come_during_a_wake_up_round_reach_every_reader()
    {
        var notifier = new SessionEventNotifier();
        var cancellationToken = TestContext.Current.CancellationToken;
        const int commits = 200;
        var subscriptions = Enumerable
            .Range(0, SessionEventNotifier.WakeSlice * 64 + 3)
            .Select(_ => notifier.Subscribe(Session))
            .ToList();
        try
        {
            // Each reader reads what the tail holds after its position, says so, and waits: as SSE streams do.
            var positions = new long[subscriptions.Count];
            var readers = subscriptions.Select(
                (s, i) =>
                    Task.Run(
                        async () =>
                        {
                            while (Volatile.Read(ref positions[i]) < commits)
                            {
                                Assert.True(await s.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken));
                                s.TakeCommitSignal();
                                var last = Volatile.Read(ref positions[i]);
                                last = s.RecentAfter(last) is { Count: > 0 } read ? read[^1].Sequence : last;
                                s.Seen(last);
                                Volatile.Write(ref positions[i], last);
                            }

                            return positions[i];
                        },
                        cancellationToken
                    )
            );
            var all = Task.WhenAll(readers);

            // Every reader waits for the next commit; then a burst comes while the first round is still under way.
            notifier.Publish(Session, Events(1, 1));
            await Eventually.Get(
                () => Task.FromResult(positions.Count(p => Volatile.Read(ref p) == 1)),
                read => read == positions.Length,
                what: "every reader to read the first commit"
            );
            for (var sequence = 2; sequence <= commits; sequence++)
            {
                notifier.Publish(Session, Events(sequence, sequence));
                await Task.Yield();
            }

            Assert.All(await all.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken), l => Assert.Equal(commits, l));
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task A_wait_ends_when_its_token_is_cancelled_and_the_next_signal_still_reaches_the_reader()
    {
        var notifier = new SessionEventNotifier();
        using var subscription = notifier.Subscribe(Session);
        using var first = new CancellationTokenSource();

        var waiting = subscription.WaitAsync(TimeSpan.FromMinutes(5), first.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        await first.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)
        );
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            subscription.WaitAsync(TimeSpan.FromMinutes(5), first.Token).AsTask()
        );

        // A reader with a new token is woken by commits as before; the old token's wake-up is not a commit.
        Assert.False(await subscription.WaitAsync(TimeSpan.FromMilliseconds(1), TestContext.Current.CancellationToken));
        var next = subscription.WaitAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken).AsTask();
        notifier.Publish(Session, Events(1, 1));
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_reader_that_already_read_a_commit_is_not_woken_for_it_but_is_for_the_next()
    {
        var notifier = new SessionEventNotifier();
        using var subscription = notifier.Subscribe(Session);
        var cancellationToken = TestContext.Current.CancellationToken;

        // It read through 5 (woken by an earlier commit, it found 4 and 5 too): their commit has nothing new for it.
        subscription.Seen(5);
        notifier.Publish(Session, Events(4, 5));
        Assert.False(subscription.TakeCommitSignal());
        Assert.False(await subscription.WaitAsync(TimeSpan.FromMilliseconds(1), cancellationToken));

        notifier.Publish(Session, Events(6, 6));
        Assert.True(subscription.TakeCommitSignal());
        Assert.True(await subscription.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken));
    }

    [Fact]
    public async Task Deltas_reach_each_delta_subscriber_once_and_wake_no_one_else()
    {
        var notifier = new SessionEventNotifier();
        using var watcher = notifier.Subscribe(Session, deltas: true);
        using var redacted = notifier.Subscribe(Session);
        var cancellationToken = TestContext.Current.CancellationToken;

        notifier.PublishDelta(Session, Delta(0));
        notifier.PublishDelta(Session, Delta(1));

        Assert.True(await watcher.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken));
        Assert.False(watcher.TakeCommitSignal());
        Assert.Equal([0, 1], watcher.TakeDeltas().Select(d => d.Delta.Index));
        Assert.Empty(watcher.TakeDeltas());
        Assert.False(await redacted.WaitAsync(TimeSpan.FromMilliseconds(1), cancellationToken));
        Assert.Empty(redacted.TakeDeltas());

        // Taken: the next round has nothing for it, until another piece comes.
        notifier.Publish(Session, Events(1, 1));
        watcher.Seen(1);
        notifier.PublishDelta(Session, Delta(2));
        Assert.True(await watcher.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken));
        Assert.Equal([2], watcher.TakeDeltas().Select(d => d.Delta.Index));
    }

    [Fact]
    public void A_delta_reader_further_behind_than_the_ring_loses_the_oldest_pieces()
    {
        var notifier = new SessionEventNotifier();
        using var slow = notifier.Subscribe(Session, deltas: true);

        for (var i = 0; i < SessionEventNotifier.DeltaCapacity + 10; i++)
        {
            notifier.PublishDelta(Session, Delta(i));
        }

        var taken = slow.TakeDeltas();
        Assert.Equal(SessionEventNotifier.DeltaCapacity, taken.Length);
        Assert.Equal(10, taken[0].Delta.Index);
        Assert.Equal(SessionEventNotifier.DeltaCapacity + 9, taken[^1].Delta.Index);

        // A subscriber that comes later gets only what is offered after it came.
        using var late = notifier.Subscribe(Session, deltas: true);
        Assert.Empty(late.TakeDeltas());
    }

    [Fact]
    public void Pieces_a_lone_delta_reader_took_are_let_go_and_pieces_another_reader_still_needs_are_kept()
    {
        var notifier = new SessionEventNotifier();
        using var first = notifier.Subscribe(Session, deltas: true);
        var alone = Offer(notifier, 0, 8);
        Assert.Equal(8, Take(first));
        Collect();
        Assert.All(alone, piece => Assert.False(piece.IsAlive));

        using var second = notifier.Subscribe(Session, deltas: true);
        var shared = Offer(notifier, 8, 8);
        Assert.Equal(8, Take(first));
        Collect();
        Assert.All(shared, piece => Assert.True(piece.IsAlive));
        Assert.Equal(Enumerable.Range(8, 8), second.TakeDeltas().Select(d => d.Delta.Index));
    }

    [Fact]
    public void A_piece_is_encoded_once_for_every_reader_of_the_session()
    {
        var notifier = new SessionEventNotifier();
        using var first = notifier.Subscribe(Session, deltas: true);
        using var second = notifier.Subscribe(Session, deltas: true);
        notifier.PublishDelta(Session, Delta(0));

        var mine = StreamFrame.Delta(Assert.Single(first.TakeDeltas()));
        var theirs = StreamFrame.Delta(Assert.Single(second.TakeDeltas()));

        Assert.Same(mine, theirs);
        Assert.Contains("\"text\":\"w0 \"", System.Text.Encoding.UTF8.GetString(mine), StringComparison.Ordinal);
    }

    // Not inlined: the pieces are referenced only from the notifier once this returns.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference> Offer(SessionEventNotifier notifier, int from, int count)
    {
        var offered = new List<WeakReference>();
        for (var i = from; i < from + count; i++)
        {
            var delta = Delta(i);
            offered.Add(new WeakReference(delta));
            notifier.PublishDelta(Session, delta);
        }

        return offered;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Take(SessionEventNotifier.Subscription reader) => reader.TakeDeltas().Length;

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [Fact]
    public async Task A_reader_that_does_not_say_what_it_read_is_woken_once_per_commit_and_not_for_deltas()
    {
        var notifier = new SessionEventNotifier();
        using var reader = notifier.Subscribe(Session, deltas: true);
        var cancellationToken = TestContext.Current.CancellationToken;

        notifier.Publish(Session, Events(1, 1));
        Assert.True(await reader.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken));
        Assert.True(reader.TakeCommitSignal());

        // Woken for the piece of text, but no commit is reported again: the page need not query.
        notifier.PublishDelta(Session, Delta(0));
        Assert.True(await reader.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken));
        Assert.False(reader.TakeCommitSignal());

        notifier.Publish(Session, Events(2, 2));
        Assert.True(reader.TakeCommitSignal());
    }

    [Fact]
    public async Task Another_nodes_commit_wakes_every_reader_whatever_it_read()
    {
        var notifier = new SessionEventNotifier();
        using var reader = notifier.Subscribe(Session);
        var cancellationToken = TestContext.Current.CancellationToken;
        notifier.Publish(Session, Events(1, 3));
        reader.Seen(3);
        Assert.True(await reader.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken));
        Assert.True(reader.TakeCommitSignal());

        notifier.PublishExternal(Session);

        Assert.True(await reader.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken));
        Assert.True(reader.TakeCommitSignal());
        Assert.Null(reader.RecentAfter(3));
    }

    private static StepDelta Delta(int index) => new(Guid.Empty, 1, index, $"w{index} ", DateTimeOffset.UnixEpoch, 0);

    [Fact]
    public void Events_committed_before_the_tail_began_are_not_claimed()
    {
        var notifier = new SessionEventNotifier();
        using var subscription = notifier.Subscribe(Session);

        notifier.Publish(Session, Events(5, 6));

        Assert.Null(subscription.RecentAfter(3));
        Assert.Equal([5, 6], Sequences(subscription.RecentAfter(4)));
    }

    [Fact]
    public void A_gap_from_another_writer_restarts_the_tail_so_nothing_in_the_gap_is_skipped()
    {
        var notifier = new SessionEventNotifier();
        using var subscription = notifier.Subscribe(Session);
        notifier.Publish(Session, Events(1, 3));

        notifier.Publish(Session, Events(6, 7));

        Assert.Null(subscription.RecentAfter(3));
        Assert.Equal([6, 7], Sequences(subscription.RecentAfter(5)));
    }

    [Fact]
    public void A_reader_further_behind_than_the_tail_goes_to_the_store()
    {
        var notifier = new SessionEventNotifier();
        using var subscription = notifier.Subscribe(Session);

        notifier.Publish(Session, Events(1, SessionEventNotifier.TailCapacity + 10));

        Assert.Null(subscription.RecentAfter(5));
        Assert.Equal(SessionEventNotifier.TailCapacity, subscription.RecentAfter(10)?.Count);
    }

    [Fact]
    public void The_tail_is_dropped_when_the_last_subscriber_leaves()
    {
        var notifier = new SessionEventNotifier();
        var first = notifier.Subscribe(Session);
        notifier.Publish(Session, Events(1, 3));
        first.Dispose();

        using var next = notifier.Subscribe(Session);

        Assert.Null(next.RecentAfter(0));
    }

    [Fact]
    public async Task Other_sessions_commits_are_neither_kept_nor_signalled()
    {
        var notifier = new SessionEventNotifier();
        using var subscription = notifier.Subscribe(Session);

        notifier.Publish(Guid.NewGuid(), Events(1, 3));

        Assert.Null(subscription.RecentAfter(0));
        Assert.False(
            await subscription.WaitAsync(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken)
        );
    }
}
