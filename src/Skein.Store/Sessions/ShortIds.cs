using Microsoft.EntityFrameworkCore;

namespace Skein.Store.Sessions;

/// <summary>
/// Finds sessions and user tasks by a short id: the last hex digits of the id, as the dashboard and the CLI print
/// them (ids are time-ordered UUIDv7, so their last digits are the random part). A short id is a hint, not a key:
/// it reads ids by suffix, so callers ask for two and treat two as ambiguous.
/// </summary>
public sealed class ShortIds(IDbContextFactory<SkeinDbContext> contexts)
{
    public const int MinLength = 6;

    /// <summary>The lower-case hex digits of a short id (dashes ignored), or null when it cannot be one.</summary>
    public static string? Normalize(string? text)
    {
        var hex = (text ?? "").Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        return hex.Length is >= MinLength and <= 32 && hex.All(char.IsAsciiHexDigit) ? hex : null;
    }

    /// <summary>Up to <paramref name="take"/> sessions and tasks whose id ends with the short id.</summary>
    public async Task<IReadOnlyList<ShortIdMatch>> FindAsync(
        Guid tenantId,
        string shortId,
        int take,
        CancellationToken cancellationToken
    )
    {
        // SQLite stores ids as upper-case text and compares LIKE without case; PostgreSQL's uuid text is lower-case.
        var pattern = "%" + shortId[^Math.Min(shortId.Length, 12)..];
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var sessions = await db
            .Sessions.AsNoTracking()
            .Where(s => s.TenantId == tenantId && EF.Functions.Like(s.Id.ToString(), pattern))
            .Select(s => s.Id)
            .Take(take)
            .ToListAsync(cancellationToken);
        var tasks = await db
            .UserTasks.AsNoTracking()
            .Where(t => t.TenantId == tenantId && EF.Functions.Like(t.Id.ToString(), pattern))
            .Select(t => t.Id)
            .Take(take)
            .ToListAsync(cancellationToken);
        return
        [
            .. sessions.Where(id => Matches(id, shortId)).Select(id => new ShortIdMatch("session", id)),
            .. tasks.Where(id => Matches(id, shortId)).Select(id => new ShortIdMatch("task", id)),
        ];
    }

    private static bool Matches(Guid id, string shortId) =>
        id.ToString("N").EndsWith(shortId, StringComparison.Ordinal);
}

/// <summary>A session or user task found by its short id.</summary>
public sealed record ShortIdMatch(string Kind, Guid Id);
