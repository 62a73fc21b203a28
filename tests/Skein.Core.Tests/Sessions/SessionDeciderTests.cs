using System.Text.Json;
using Skein.Core.Agents;
using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Core.Tests.Sessions;

public sealed class SessionDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    internal static SessionState Started(out Guid runId)
    {
        var version = new VersionSnapshot
        {
            AgentId = Guid.NewGuid(),
            AgentName = "a",
            ExecutionMode = ExecutionMode.Request,
            AgentVersionId = Guid.NewGuid(),
            VersionLabel = "v1",
            LlmProviderId = Guid.NewGuid(),
            ProviderKind = "scripted",
            Model = "m",
        };
        runId = Guid.NewGuid();
        var change = SessionDecider.Start(
            new StartSession(
                Guid.NewGuid(),
                runId,
                Guid.NewGuid(),
                TriggerType.Console,
                "test",
                null,
                null,
                new StartContext(version, null),
                T0
            )
        );
        return change.Current;
    }

    private static SessionState Apply(SessionState state, Action<SessionChange> decide)
    {
        var change = new SessionChange(state);
        decide(change);
        Assert.False(change.Rejected, change.Error?.Message);
        return change.Current;
    }

    [Fact]
    public void Starting_a_session_creates_it_with_its_root_run_running()
    {
        var s = Started(out var runId);
        Assert.Equal(SessionStatus.Running, s.Status);
        Assert.Equal(runId, s.RootRunId);
        Assert.Equal(RunStatus.Running, s.Runs[runId].Status);
        Assert.Equal(2, s.Version);
    }

    [Fact]
    public void The_session_status_follows_its_root_run()
    {
        var s = Started(out var runId);
        s = Apply(s, c => SessionDecider.MoveRun(c, runId, new RunTransition(RunStatus.WaitingForTimer), T0, "engine"));
        Assert.Equal(SessionStatus.WaitingForTimer, s.Status);
        s = Apply(s, c => SessionDecider.MoveRun(c, runId, new RunTransition(RunStatus.Running), T0, "engine"));
        s = Apply(s, c =>
            SessionDecider.MoveRun(
                c,
                runId,
                new RunTransition(RunStatus.Completed) { Output = JsonSerializer.SerializeToElement("done") },
                T0.AddSeconds(5),
                "engine"
            )
        );
        Assert.Equal(SessionStatus.Completed, s.Status);
        Assert.Equal("done", s.Output?.GetString());
        Assert.Equal(T0.AddSeconds(5), s.FinishedAt);
    }

    [Fact]
    public void Terminate_fails_every_unfinished_run_and_terminates_the_session()
    {
        var s = Started(out var runId);
        s = Apply(s, c => SessionDecider.Terminate(c, T0, "operator:ann"));
        Assert.Equal(SessionStatus.Terminated, s.Status);
        Assert.Equal(RunStatus.Failed, s.Runs[runId].Status);
        Assert.Equal(SessionDecider.TerminatedByOperator, s.Runs[runId].Error);
    }

    [Fact]
    public void Terminate_of_a_finished_session_is_rejected_and_emits_nothing()
    {
        var s = Started(out _);
        s = Apply(s, c => SessionDecider.Terminate(c, T0, "operator"));
        var again = new SessionChange(s);
        SessionDecider.Terminate(again, T0, "operator");
        Assert.True(again.Rejected);
        Assert.Empty(again.Events);
        Assert.Equal(DomainErrorCodes.IllegalTransition, again.Error!.Code);
    }

    [Fact]
    public void Mark_complete_while_running_is_rejected()
    {
        var change = new SessionChange(Started(out _));
        SessionDecider.MarkComplete(change, T0, "operator");
        Assert.True(change.Rejected);
        Assert.Empty(change.Events);
    }

    [Fact]
    public void Mark_complete_while_waiting_completes_runs_with_an_audit_note()
    {
        var s = Started(out var runId);
        s = Apply(s, c =>
            SessionDecider.MoveRun(c, runId, new RunTransition(RunStatus.WaitingForResponse), T0, "engine")
        );
        s = Apply(s, c => SessionDecider.MarkComplete(c, T0, "operator:ann"));
        Assert.Equal(SessionStatus.Completed, s.Status);
        Assert.Equal(RunStatus.Completed, s.Runs[runId].Status);
        Assert.Equal("operator:ann", s.Runs[runId].CompletedBy);
        Assert.Equal("marked complete by operator", s.Runs[runId].CompletionNote);
    }

    [Fact]
    public void Steps_are_numbered_gap_free_and_only_appended_while_running()
    {
        var s = Started(out var runId);
        s = Apply(s, c =>
        {
            SessionDecider.AppendStep(
                c,
                runId,
                new StepDraft(new LlmRequestPrepared("m") { Iteration = 1 }),
                T0,
                "engine"
            );
            SessionDecider.AppendStep(
                c,
                runId,
                new StepDraft(new ReasoningStep("hi", "hi", 10, []) { Iteration = 1 }, 10),
                T0,
                "engine"
            );
        });
        Assert.Equal([1, 2], s.Runs[runId].Steps.Select(x => x.Sequence));
        Assert.Equal(10, s.TotalTokensUsed);

        s = Apply(s, c => SessionDecider.MoveRun(c, runId, new RunTransition(RunStatus.WaitingForTimer), T0, "engine"));
        var late = new SessionChange(s);
        SessionDecider.AppendStep(late, runId, new StepDraft(new LlmRequestPrepared("m")), T0, "engine");
        Assert.True(late.Rejected);
    }

    [Fact]
    public void An_illegal_move_rejects_the_whole_change()
    {
        var s = Started(out var runId);
        s = Apply(s, c => SessionDecider.MoveRun(c, runId, new RunTransition(RunStatus.Completed), T0, "engine"));
        var change = new SessionChange(s);
        SessionDecider.MoveRun(change, runId, new RunTransition(RunStatus.Running), T0, "engine");
        Assert.True(change.Rejected);
        Assert.Empty(change.Events);
    }

    [Fact]
    public void Replaying_the_events_gives_the_same_state_as_deciding_them()
    {
        var version = new VersionSnapshot
        {
            AgentId = Guid.NewGuid(),
            AgentName = "a",
            ExecutionMode = ExecutionMode.Request,
            AgentVersionId = Guid.NewGuid(),
            VersionLabel = "v1",
            LlmProviderId = Guid.NewGuid(),
            ProviderKind = "scripted",
            Model = "m",
        };
        var runId = Guid.NewGuid();
        var start = SessionDecider.Start(
            new StartSession(
                Guid.NewGuid(),
                runId,
                Guid.NewGuid(),
                TriggerType.Api,
                "key",
                null,
                null,
                new StartContext(version, null),
                T0
            )
        );
        var events = new List<SessionEvent>(start.Events);
        var change = new SessionChange(start.Current);
        SessionDecider.AppendStep(
            change,
            runId,
            new StepDraft(new LlmRequestPrepared("m") { Iteration = 1 }),
            T0,
            "engine"
        );
        SessionDecider.MoveRun(
            change,
            runId,
            new RunTransition(RunStatus.WaitingForTimer) { WakeAt = T0.AddMinutes(1) },
            T0.AddSeconds(3),
            "engine"
        );
        events.AddRange(change.Events);

        var roundTripped = events.Select(e =>
            JsonSerializer.Deserialize<SessionEvent>(JsonSerializer.Serialize(e, SkeinJson.Options), SkeinJson.Options)!
        );
        var replayed = SessionFold.Replay(roundTripped);

        Assert.Equal(change.Current.Version, replayed.Version);
        Assert.Equal(change.Current.Status, replayed.Status);
        Assert.Equal(change.Current.ActiveTime, replayed.ActiveTime);
        Assert.Equal(TimeSpan.FromSeconds(3), replayed.ActiveTime);
        Assert.Equal(T0.AddMinutes(1), replayed.Runs[runId].WakeAt);
        Assert.Equal(change.Current.Runs[runId].Steps.Single().Payload, replayed.Runs[runId].Steps.Single().Payload);
    }
}
