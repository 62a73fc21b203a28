using Skein.Core.Limits;

namespace Skein.Core.Tests.Triggers;

public sealed class WorkspaceRulesTests
{
    [Fact]
    public void Limits_within_their_bounds_have_no_problem() => Assert.Empty(WorkspaceRules.Check(30, 3600, 300));

    [Fact]
    public void Each_limit_out_of_bounds_is_named()
    {
        var problems = WorkspaceRules.Check(0, 59, -1);

        Assert.Equal(3, problems.Count);
        Assert.StartsWith("retention:", problems[0]);
        Assert.StartsWith("max active session time:", problems[1]);
        Assert.StartsWith("agent wait budget:", problems[2]);
    }

    [Fact]
    public void The_upper_bounds_hold_too() =>
        Assert.Equal(3, WorkspaceRules.Check(3651, 7 * 86400 + 1, 30 * 86400 + 1).Count);
}
