using Skein.Core;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Application.Audit;

/// <summary>
/// Records a configuration change in the audit log, inside the caller's unit of work so the entry commits
/// (or rolls back) with the change it describes.
/// </summary>
public sealed class AuditTrail(TimeProvider time)
{
    public void Record(
        SkeinDbContext db,
        Guid tenantId,
        Actor actor,
        string action,
        string subjectType,
        Guid subjectId,
        string detail = ""
    ) =>
        db.AuditLog.Add(
            new AuditRow
            {
                TenantId = tenantId,
                At = time.GetUtcNow().UtcDateTime,
                Actor = actor.Value,
                Action = action,
                SubjectType = subjectType,
                SubjectId = subjectId,
                Detail = detail,
            }
        );
}
