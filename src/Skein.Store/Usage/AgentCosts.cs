using Microsoft.EntityFrameworkCore;

namespace Skein.Store.Usage;

/// <summary>What an agent's runs cost per day (UTC), for the agent page: its own runs, also those it ran as a
/// sub-agent of another agent's session.</summary>
public sealed class AgentCosts(IDbContextFactory<SkeinDbContext> contexts)
{
    /// <summary>The last <paramref name="days"/> days up to <paramref name="now"/>'s, newest first, each with its
    /// cost, tokens and runs (days without runs included, at 0).</summary>
    public async Task<IReadOnlyList<DailyCost>> DailyAsync(
        Guid agentId,
        DateTimeOffset now,
        int days,
        CancellationToken cancellationToken
    )
    {
        var today = now.UtcDateTime.Date;
        var from = today.AddDays(-(days - 1));
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var sums = await db
            .Runs.AsNoTracking()
            .Where(r => r.AgentId == agentId && r.StartedAt >= from)
            .GroupBy(r => r.StartedAt.Date)
            .Select(g => new
            {
                Day = g.Key,
                Cost = g.Sum(r => r.TotalCostUsd),
                Tokens = g.Sum(r => r.TotalTokensUsed),
                Runs = g.Count(),
            })
            .ToListAsync(cancellationToken);
        var byDay = sums.ToDictionary(s => DateOnly.FromDateTime(s.Day));
        return
        [
            .. Enumerable
                .Range(0, days)
                .Select(i => DateOnly.FromDateTime(today.AddDays(-i)))
                .Select(day =>
                    byDay.TryGetValue(day, out var s)
                        ? new DailyCost(day, s.Cost, s.Tokens, s.Runs)
                        : new DailyCost(day, 0m, 0, 0)
                ),
        ];
    }
}

/// <summary>One UTC day of an agent's runs.</summary>
public sealed record DailyCost(DateOnly Day, decimal CostUsd, long Tokens, int Runs);
