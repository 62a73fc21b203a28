using Microsoft.Extensions.Time.Testing;
using Skein.Store.Sessions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>The live feed's position never skips an event that may still commit, and never sticks on a dead
/// hole.</summary>
public sealed class FeedPositionTests
{
    [Fact]
    public void Contiguous_sequences_move_the_position_to_the_last_one()
    {
        var position = new FeedPosition(10, new FakeTimeProvider());
        position.Advance([11, 12, 13]);
        Assert.Equal(13, position.Value);
    }

    [Fact]
    public void A_hole_holds_the_position_until_it_fills()
    {
        var position = new FeedPosition(10, new FakeTimeProvider());
        position.Advance([11, 13, 14]);
        Assert.Equal(11, position.Value);
        position.Advance([12, 13, 14]);
        Assert.Equal(14, position.Value);
    }

    [Fact]
    public void A_hole_that_stays_open_past_the_timeout_is_skipped()
    {
        var clock = new FakeTimeProvider();
        var position = new FeedPosition(10, clock);
        position.Advance([12]);
        Assert.Equal(10, position.Value);
        clock.Advance(FeedPosition.GapTimeout - TimeSpan.FromMilliseconds(1));
        position.Advance([12]);
        Assert.Equal(10, position.Value);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        position.Advance([12, 13]);
        Assert.Equal(13, position.Value);
    }
}
