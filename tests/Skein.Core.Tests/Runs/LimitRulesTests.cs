using Skein.Core.Limits;
using Skein.Core.Tests.Sessions;

namespace Skein.Core.Tests.Runs;

public sealed class LimitRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Session_duration_is_measured_from_the_start()
    {
        var s = SessionDeciderTests.Started(out _);
        var limits = new RunLimits { MaxSessionDurationSec = 30 };
        Assert.Null(LimitRules.CheckSession(s, limits, new PlanLimits(), T0.AddSeconds(30)));
        Assert.StartsWith(
            LimitCodes.SessionDuration,
            LimitRules.CheckSession(s, limits, new PlanLimits(), T0.AddSeconds(31))
        );
    }

    [Fact]
    public void Active_time_excludes_waiting()
    {
        var s = SessionDeciderTests.Started(out _) with { RunningSince = null, ActiveTime = TimeSpan.FromMinutes(59) };
        var plan = new PlanLimits { MaxActiveSessionTime = TimeSpan.FromHours(1) };
        Assert.Null(LimitRules.CheckSession(s, new RunLimits(), plan, T0.AddHours(5)));
        var running = s with { RunningSince = T0 };
        Assert.StartsWith(
            LimitCodes.ActiveSessionTime,
            LimitRules.CheckSession(running, new RunLimits(), plan, T0.AddMinutes(2))
        );
    }

    [Fact]
    public void A_wait_over_the_budget_is_refused_with_the_budget_named()
    {
        var s = SessionDeciderTests.Started(out _) with { CompletedWait = TimeSpan.FromSeconds(250) };
        var plan = new PlanLimits { AgentWaitBudget = TimeSpan.FromMinutes(5) };
        Assert.Null(LimitRules.CheckWait(s, TimeSpan.FromSeconds(50), plan));
        var error = LimitRules.CheckWait(s, TimeSpan.FromSeconds(51), plan);
        Assert.StartsWith(LimitCodes.WaitBudget, error);
        Assert.Contains("300 s", error);
    }

    [Fact]
    public void Iterations_beyond_the_limit_are_refused() =>
        Assert.StartsWith(LimitCodes.MaxIterations, LimitRules.CheckIteration(4, new RunLimits { MaxIterations = 3 }));
}
