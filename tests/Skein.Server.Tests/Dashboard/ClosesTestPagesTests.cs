namespace Skein.Server.Tests.Dashboard;

/// <summary>What <see cref="ClosesTestPagesAttribute"/> does when a dashboard test ends: no page stays open (and so no
/// live feed stays connected) into the next test.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ClosesTestPagesTests(DashboardFixture fx)
{
    [Fact]
    public async Task Every_page_a_test_opened_is_closed_when_it_ends_its_own_contexts_included()
    {
        var first = await fx.NewPageAsync();
        var second = await fx.NewPageAsync();
        await first.GotoAsync("/");
        var own = await fx.Browser.NewContextAsync();
        Assert.True(fx.Browser.Contexts.Count >= 3);

        new ClosesTestPagesAttribute().After(null!, null!);

        Assert.True(first.IsClosed);
        Assert.True(second.IsClosed);
        Assert.Empty(fx.Browser.Contexts);
        Assert.DoesNotContain(own, fx.Browser.Contexts);
    }
}
