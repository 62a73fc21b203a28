using Microsoft.EntityFrameworkCore;
using Skein.Core.Sessions;
using Skein.Store.Rows;

namespace Skein.Store.Sessions;

/// <summary>A <see cref="SessionCriteria"/> as conditions on the sessions rows: the one translation the API list, the
/// dashboard lists and bulk actions share. Without <c>text</c> the words are left out, for
/// <see cref="SessionTextSearch"/> to narrow by them its own way.</summary>
internal static class SessionCriteriaQuery
{
    public static IQueryable<SessionRow> Where(
        this IQueryable<SessionRow> q,
        SkeinDbContext db,
        IStoreDialect dialect,
        SessionCriteria criteria,
        bool text = true
    )
    {
        if (criteria.AgentId is { } agentId)
        {
            q = q.Where(s => s.AgentId == agentId);
        }

        if (criteria.Status is { } status)
        {
            var wire = status.ToString();
            q = q.Where(s => s.Status == wire);
        }

        if (criteria.TriggerType is { } type)
        {
            var wire = type.ToWire();
            q = q.Where(s => s.TriggerType == wire);
        }

        if (criteria.From is { } from)
        {
            var utc = from.UtcDateTime;
            q = q.Where(s => s.StartedAt >= utc);
        }

        if (criteria.To is { } to)
        {
            var utc = to.UtcDateTime;
            q = q.Where(s => s.StartedAt <= utc);
        }

        foreach (var (key, value) in criteria.Tags)
        {
            var needle = SessionTags.Needle(key, value);
            q = q.Where(s => s.Tags != null && s.Tags.Contains(needle));
        }

        if (text && criteria.Terms.Count > 0)
        {
            var matching = db.Database.SqlQueryRaw<Guid>(
                dialect.SessionTextMatchSql,
                dialect.SessionTextQuery(criteria.Terms)
            );
            q = q.Where(s => matching.Contains(s.Id));
        }

        return q;
    }
}
