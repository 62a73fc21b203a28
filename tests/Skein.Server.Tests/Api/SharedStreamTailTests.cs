using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Store.EventLog;

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
                subscriptions.Select(s => s.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken))
            );
            Assert.All(woken, Assert.True);
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
        }
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
