namespace Skein.Core.UserTasks;

public enum UserTaskStatus
{
    Pending,
    Completed,
    Cancelled,
}

/// <summary>A task is answered once or cancelled once; a stale answer is <c>task_closed</c> (HTTP 409).</summary>
public static class UserTaskStatusMachine
{
    public static StatusMachine<UserTaskStatus> Instance { get; } =
        new(
            "user task",
            [(UserTaskStatus.Pending, UserTaskStatus.Completed), (UserTaskStatus.Pending, UserTaskStatus.Cancelled)],
            [UserTaskStatus.Completed, UserTaskStatus.Cancelled]
        );
}
