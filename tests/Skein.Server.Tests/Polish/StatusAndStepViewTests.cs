using Skein.Core.Steps;
using Skein.Server.Dashboard.Sessions;
using Skein.Store.Rows;

namespace Skein.Server.Tests.Polish;

/// <summary>What the dashboard shows for statuses, failed tool calls and step durations (pure rendering).</summary>
public sealed class StatusAndStepViewTests
{
    private static readonly DateTime T0 = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Theory]
    [InlineData("WaitingForHITL", "Awaiting approval")]
    [InlineData("WaitingForAITL", "Awaiting parent agent")]
    [InlineData("WaitingForResponse", "Awaiting reply")]
    [InlineData("WaitingForTimer", "Waiting on timer")]
    [InlineData("Completed", "Completed")]
    public void A_badge_shows_the_human_label_and_keeps_the_raw_status_in_its_tooltip(string status, string label)
    {
        var badge = SessionRowHtml.Badge(status);

        Assert.Equal($"<span class=\"badge st-{status}\" title=\"{status}\">{label}</span>", badge);
    }

    [Fact]
    public void A_session_row_with_failed_tool_calls_carries_a_warning_badge_with_the_count()
    {
        var row = new SessionRowView(Guid.NewGuid(), Guid.NewGuid(), "a", "Completed", T0, T0, 0, "api", null)
        {
            FailedToolCalls = 2,
        };

        var html = SessionRowHtml.Render(row, T0);

        Assert.Contains("data-failed-tools=\"2\"", html);
        Assert.Contains("⚠ 2 failed tool calls", html);
        Assert.DoesNotContain("data-failed-tools", SessionRowHtml.Render(row with { FailedToolCalls = 0 }, T0));
        Assert.DoesNotContain("data-running-since", html);
    }

    [Fact]
    public void A_step_recorded_at_one_instant_takes_the_time_since_the_step_before_it_in_its_run()
    {
        var run = Guid.NewGuid();
        var call = Step(run, 1, StepType.ToolCall, T0, T0);
        var result = Step(
            run,
            2,
            StepType.ToolResult,
            T0.AddMilliseconds(1200),
            T0.AddMilliseconds(1200),
            error: "boom"
        );
        var model = Step(run, 3, StepType.Reasoning, T0.AddSeconds(2), T0.AddMilliseconds(2500));
        var data = new SessionPageData(Session(), [], [call, result, model], [], [], 3);

        Assert.Equal(TimeSpan.FromMilliseconds(1200), data.StepDuration(result));
        Assert.Equal(TimeSpan.FromMilliseconds(500), data.StepDuration(model));
        Assert.Equal("1.2 s", Format.Span(data.StepDuration(result)));
        Assert.Equal(1, data.FailedToolCalls);
    }

    private static StepRow Step(
        Guid run,
        int sequence,
        string type,
        DateTime start,
        DateTime end,
        string? error = null
    ) =>
        new()
        {
            Id = Guid.NewGuid(),
            RunId = run,
            Sequence = sequence,
            EventSequence = sequence,
            Type = type,
            Content = "{}",
            Error = error,
            StartedAt = start,
            FinishedAt = end,
        };

    private static SessionRow Session() =>
        new()
        {
            LlmModel = "m",
            TriggerType = "api",
            TriggeredBy = "t",
            Status = "Completed",
            StartContext = "{}",
        };
}
