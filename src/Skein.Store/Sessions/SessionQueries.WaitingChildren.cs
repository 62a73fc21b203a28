using Microsoft.EntityFrameworkCore;
using Skein.Core.Sessions;
using Skein.Core.UserTasks;
using Skein.Store.Rows;

namespace Skein.Store.Sessions;

public sealed partial class SessionQueries
{
    /// <summary>
    /// Of <paramref name="sessions"/>, those whose sub-agent run waits on a person: a pending user task on a child
    /// run (an approval under a HITL root) or an <c>aitl_escalation</c> (a child's question handed to a person).
    /// Only <c>WaitingForHITL</c> sessions can be such, so the others cost nothing.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> ChildrenWaitingOnPersonAsync(
        IEnumerable<SessionRow> sessions,
        CancellationToken cancellationToken
    )
    {
        var waiting = sessions
            .Where(s => s.Status == nameof(SessionStatus.WaitingForHITL) && s.RunCount > 1)
            .Select(s => s.Id)
            .ToList();
        if (waiting.Count == 0)
        {
            return new HashSet<Guid>();
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var pending = nameof(UserTaskStatus.Pending);
        var found = await db
            .UserTasks.AsNoTracking()
            .Where(t =>
                waiting.Contains(t.SessionId)
                && t.Status == pending
                && (t.Kind == UserTaskKinds.AitlEscalation || db.Runs.Any(r => r.Id == t.RunId && r.Depth > 0))
            )
            .Select(t => t.SessionId)
            .Distinct()
            .ToListAsync(cancellationToken);
        return found.ToHashSet();
    }
}
