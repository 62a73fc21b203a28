using Skein.Server.Dashboard.Sessions;

namespace Skein.Server.Tests.MultiAgent;

/// <summary>Home rows say when a sub-agent waits for its parent (a WaitingForAITL session: only a child
/// asks).</summary>
public sealed class SessionRowChildWaitingTests
{
    private static SessionRowView Row(string status) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "demo-team", status, DateTime.UtcNow, null, 0, "api", "api");

    [Fact]
    public void A_session_waiting_for_aitl_shows_that_a_sub_agent_waits() =>
        Assert.Contains("data-child-waiting", SessionRowHtml.Render(Row("WaitingForAITL"), DateTime.UtcNow));

    [Fact]
    public void Other_statuses_show_no_child_chip() =>
        Assert.DoesNotContain("data-child-waiting", SessionRowHtml.Render(Row("Running"), DateTime.UtcNow));
}
