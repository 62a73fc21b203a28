using Skein.Core.Agents;
using Skein.Core.Events;
using Skein.Core.Limits;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Core.Usage;

namespace Skein.Core.Tests.Usage;

public sealed class UsageAndDeadlineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static SessionState Started(RunLimits limits, int? maxActiveSec) => Start(limits, maxActiveSec).Current;

    private static SessionChange Start(RunLimits limits, int? maxActiveSec)
    {
        var version = new VersionSnapshot
        {
            AgentId = Guid.NewGuid(),
            AgentName = "a",
            ExecutionMode = ExecutionMode.HITL,
            AgentVersionId = Guid.NewGuid(),
            VersionLabel = "v1",
            LlmProviderId = Guid.NewGuid(),
            ProviderKind = "openai",
            Model = "m",
            Limits = limits,
        };
        return SessionDecider.Start(
            new StartSession(
                Guid.NewGuid(),
                Guid.NewGuid(),
                Guid.NewGuid(),
                TriggerType.Console,
                "test",
                null,
                null,
                new StartContext(version, null) { MaxActiveSessionSec = maxActiveSec },
                T0
            )
        );
    }

    [Fact]
    public void Cost_bills_cached_input_at_its_price_and_missing_usage_costs_nothing_known()
    {
        var price = new ModelPrice(2.5m, 10m, 1.25m);

        Assert.Equal(0.0025m, price.CostOf(new StepUsage(1000, 50, 400, 1050)));
        Assert.Equal(0.002m, new ModelPrice(2.5m, 10m).CostOf(new StepUsage(600, 50, null, null)));
        Assert.Null(price.CostOf(StepUsage.None));
        Assert.True(StepUsage.None.Missing);
        Assert.Null(ModelPrices.Empty.CostOf("m", new StepUsage(1, 1, null, 2)));
    }

    [Fact]
    public void Prices_round_trip_through_their_wire_json_and_bad_ones_are_refused()
    {
        var prices = ModelPrices.Of(new Dictionary<string, ModelPrice> { ["b"] = new(1, 2), ["a"] = new(3, 4, 1) });

        Assert.Equal(prices.ToJson(), ModelPrices.Parse(prices.ToJson()).ToJson());
        Assert.StartsWith("""{"a":{"inputPerMTok":3,"outputPerMTok":4,"cachedInputPerMTok":1},""", prices.ToJson());
        Assert.NotNull(ModelPrices.Check(new Dictionary<string, ModelPrice?> { ["m"] = new(-1, 1) }));
        Assert.NotNull(ModelPrices.Check(new Dictionary<string, ModelPrice?> { ["m"] = null }));
        Assert.NotNull(ModelPrices.Check(new Dictionary<string, ModelPrice?> { [" "] = new(1, 1) }));
        Assert.Null(ModelPrices.Check(new Dictionary<string, ModelPrice?> { ["m"] = new(0, 0, 0) }));
    }

    [Fact]
    public void The_fold_adds_model_step_costs_to_the_run_and_the_session()
    {
        var change = Start(new RunLimits(), null);
        var rootRunId = change.Current.RootRunId;
        var step = new ReasoningStep("hi", "hi", 10, []).WithUsage(new StepUsage(8, 2, null, 10), 0.001m);
        SessionDecider.AppendStep(change, rootRunId, new StepDraft(step, 10), T0, "engine");
        SessionDecider.AppendStep(change, rootRunId, new StepDraft(step, 10), T0, "engine");

        Assert.Equal(0.002m, change.Current.TotalCostUsd);
        Assert.Equal(0.002m, change.Current.RootRun.TotalCostUsd);
        Assert.Equal(0.002m, SessionFold.Replay(change.Events).TotalCostUsd);
    }

    [Fact]
    public void A_discarded_model_call_counts_in_the_totals_like_an_answered_one()
    {
        var change = Start(new RunLimits(), null);
        var rootRunId = change.Current.RootRunId;
        var answer = new ReasoningStep("late", "late", 10, []).WithUsage(new StepUsage(8, 2, null, 10), 0.001m);
        var discarded = new ModelCallDiscardedStep(ModelCallDiscardedStep.Superseded, answer);
        SessionDecider.AppendStep(change, rootRunId, new StepDraft(answer, 10), T0, "engine");
        SessionDecider.AppendStep(change, rootRunId, new StepDraft(discarded, 10), T0, "engine");

        Assert.Equal(0.002m, change.Current.TotalCostUsd);
        Assert.Equal(20, change.Current.RootRun.TotalTokensUsed);
        Assert.Equal(0.002m, SessionFold.Replay(change.Events).RootRun.TotalCostUsd);
    }

    [Fact]
    public void The_deadline_is_the_duration_limit_or_the_active_time_left_while_running_and_none_once_finished()
    {
        var s = Started(new RunLimits { MaxSessionDurationSec = 600 }, 120);

        Assert.Equal(T0.AddSeconds(120), SessionDeadline.Of(s));
        var waiting = s with
        {
            Status = SessionStatus.WaitingForHITL,
            RunningSince = null,
            ActiveTime = TimeSpan.FromSeconds(30),
        };
        Assert.Equal(T0.AddSeconds(600), SessionDeadline.Of(waiting));
        Assert.Null(SessionDeadline.Exceeded(waiting, T0.AddSeconds(600)));
        Assert.StartsWith(LimitCodes.SessionDuration, SessionDeadline.Exceeded(waiting, T0.AddSeconds(601)));
        Assert.Null(SessionDeadline.Of(waiting with { Status = SessionStatus.Failed }));
        Assert.Null(SessionDeadline.Of(Started(new RunLimits(), null)));
        Assert.StartsWith(LimitCodes.ActiveSessionTime, SessionDeadline.Exceeded(s, T0.AddSeconds(121)));
    }

    [Fact]
    public void The_stricter_of_the_plan_and_version_tool_call_caps_applies()
    {
        var run = Started(new RunLimits(), null).RootRun with { ToolCallCount = 2 };

        Assert.Contains(
            "plan's",
            LimitRules.CheckToolCall(run, new RunLimits { MaxToolCalls = 5 }, new PlanLimits { MaxToolCallsPerRun = 2 })
        );
        Assert.Contains(
            "maxToolCalls (2)",
            LimitRules.CheckToolCall(run, new RunLimits { MaxToolCalls = 2 }, new PlanLimits { MaxToolCallsPerRun = 3 })
        );
        Assert.Null(LimitRules.CheckToolCall(run, new RunLimits { MaxToolCalls = 5 }, new PlanLimits()));
    }
}
