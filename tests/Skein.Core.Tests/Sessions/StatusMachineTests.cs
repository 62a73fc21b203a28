using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.UserTasks;

namespace Skein.Core.Tests.Sessions;

public sealed class StatusMachineTests
{
    private static readonly SessionStatus[] Finished =
    [
        SessionStatus.Completed,
        SessionStatus.Failed,
        SessionStatus.Terminated,
    ];

    [Fact]
    public void A_finished_session_can_never_move_again()
    {
        foreach (var from in Finished)
        {
            foreach (var to in Enum.GetValues<SessionStatus>())
            {
                Assert.False(SessionStatusMachine.Instance.CanMove(from, to), $"{from} -> {to}");
                Assert.Equal(DomainErrorCodes.IllegalTransition, SessionStatusMachine.Instance.Check(from, to)?.Code);
            }
        }
    }

    [Fact]
    public void A_finished_run_can_never_move_again()
    {
        foreach (var from in new[] { RunStatus.Completed, RunStatus.Failed, RunStatus.Terminated })
        {
            foreach (var to in Enum.GetValues<RunStatus>())
            {
                Assert.False(RunStatusMachine.Instance.CanMove(from, to), $"{from} -> {to}");
            }
        }
    }

    [Fact]
    public void Runs_are_never_terminated_themselves_only_failed_by_an_operator_terminate()
    {
        foreach (var from in Enum.GetValues<RunStatus>())
        {
            Assert.False(RunStatusMachine.Instance.CanMove(from, RunStatus.Terminated));
        }
    }

    [Theory]
    [InlineData(SessionStatus.WaitingForResponse, true)]
    [InlineData(SessionStatus.WaitingForHITL, true)]
    [InlineData(SessionStatus.WaitingForAITL, true)]
    [InlineData(SessionStatus.WaitingForTimer, true)]
    [InlineData(SessionStatus.Running, false)]
    [InlineData(SessionStatus.Completed, false)]
    [InlineData(SessionStatus.Failed, false)]
    [InlineData(SessionStatus.Terminated, false)]
    public void Mark_complete_is_allowed_only_while_the_session_waits(SessionStatus status, bool allowed) =>
        Assert.Equal(allowed, SessionStatusMachine.AllowsMarkComplete(status));

    [Fact]
    public void A_user_task_is_answered_or_cancelled_once()
    {
        Assert.True(UserTaskStatusMachine.Instance.CanMove(UserTaskStatus.Pending, UserTaskStatus.Completed));
        Assert.True(UserTaskStatusMachine.Instance.CanMove(UserTaskStatus.Pending, UserTaskStatus.Cancelled));
        Assert.False(UserTaskStatusMachine.Instance.CanMove(UserTaskStatus.Completed, UserTaskStatus.Completed));
        Assert.False(UserTaskStatusMachine.Instance.CanMove(UserTaskStatus.Cancelled, UserTaskStatus.Completed));
    }

    [Fact]
    public void Run_and_session_statuses_share_their_wire_strings()
    {
        foreach (var status in Enum.GetValues<RunStatus>())
        {
            Assert.Equal(status.ToString(), RunStatusMachine.ToSessionStatus(status).ToString());
        }
    }

    [Fact]
    public void A_table_that_lets_a_terminal_status_move_is_refused_at_construction() =>
        Assert.Throws<ArgumentException>(() =>
            new StatusMachine<RunStatus>("bad", [(RunStatus.Completed, RunStatus.Running)], [RunStatus.Completed])
        );
}
