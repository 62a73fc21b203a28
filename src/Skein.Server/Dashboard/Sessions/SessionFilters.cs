using System.Globalization;
using System.Text.Json;
using Skein.Core;
using Skein.Core.Sessions;

namespace Skein.Server.Dashboard.Sessions;

/// <summary>
/// The session search of the dashboard lists (Home and an agent's Sessions tab), read from the URL so a view can be
/// shared: <c>q, status, agentId, triggerType, from, to, tag</c>. Parsed by the same Core rule as the API.
/// </summary>
public sealed record SessionFilters
{
    public string? Q { get; init; }
    public string? Status { get; init; }
    public Guid? AgentId { get; init; }
    public string? TriggerType { get; init; }

    /// <summary>A date (<c>yyyy-MM-dd</c>, UTC) or an instant.</summary>
    public string? From { get; init; }
    public string? To { get; init; }

    /// <summary>One <c>key:value</c> tag.</summary>
    public string? Tag { get; init; }

    /// <summary>The agent page fixes the agent: it is not a filter the user can clear there.</summary>
    public bool AgentFixed { get; init; }

    public static SessionFilters Read(IQueryCollection query, Guid? fixedAgent = null) =>
        new()
        {
            Q = Value(query, "q"),
            Status = Value(query, "status"),
            AgentId = fixedAgent ?? (Guid.TryParse(Value(query, "agentId"), out var a) ? a : null),
            TriggerType = Value(query, "triggerType"),
            From = Value(query, "from"),
            To = Value(query, "to"),
            Tag = Value(query, "tag"),
            AgentFixed = fixedAgent is not null,
        };

    /// <summary>True when the user narrowed the list (beyond the page's own agent).</summary>
    public bool IsActive =>
        Q is not null
        || Status is not null
        || (!AgentFixed && AgentId is not null)
        || TriggerType is not null
        || From is not null
        || To is not null
        || Tag is not null;

    /// <summary>The filters as the live feed's query (<c>&amp;q=…</c>, the page's fixed agent included), so it tells
    /// the list which new sessions match; empty when nothing narrows the list.</summary>
    public string LiveQuery()
    {
        var query = (this with { AgentFixed = false }).QueryString();
        return query.Length == 0 ? "" : "&" + query;
    }

    public Result<SessionCriteria> Criteria()
    {
        if (!Instant(From, endOfDay: false, out var from) || !Instant(To, endOfDay: true, out var to))
        {
            return DomainError.Invalid("from and to are dates (yyyy-MM-dd) or instants");
        }

        return SessionCriteria.Parse(Q, AgentId, Status, TriggerType, from, to, Tag is null ? null : [Tag]);
    }

    /// <summary>The query string of these filters (no leading '?'), plus <paramref name="extra"/>.</summary>
    public string QueryString(params (string Name, string? Value)[] extra)
    {
        var pairs = new List<(string, string?)>
        {
            ("q", Q),
            ("status", Status),
            ("agentId", AgentFixed ? null : AgentId?.ToString()),
            ("triggerType", TriggerType),
            ("from", From),
            ("to", To),
            ("tag", Tag),
        };
        pairs.AddRange(extra);
        return string.Join(
            '&',
            pairs.Where(p => p.Item2 is not null).Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2!))
        );
    }

    /// <summary>The filter as <c>POST /api/sessions/bulk</c> takes it ("all matching the filter").</summary>
    public string BulkJson()
    {
        var criteria = Criteria();
        if (!criteria.IsSuccess)
        {
            return "null";
        }

        var c = criteria.Value;
        return JsonSerializer.Serialize(
            new
            {
                q = c.Query,
                agentId = c.AgentId,
                status = c.Status?.ToString(),
                triggerType = c.TriggerType?.ToWire(),
                from = c.From,
                to = c.To,
                tag = c.Tags.Select(t => t.Key + ":" + t.Value).ToArray(),
            }
        );
    }

    private static string? Value(IQueryCollection query, string name) =>
        query[name].FirstOrDefault() is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    private static bool Instant(string? text, bool endOfDay, out DateTimeOffset? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        const DateTimeStyles utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, utc, out var day))
        {
            var start = new DateTimeOffset(DateTime.SpecifyKind(day, DateTimeKind.Utc));
            value = endOfDay ? start.AddDays(1).AddTicks(-1) : start;
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, utc, out var at))
        {
            value = at;
            return true;
        }

        return false;
    }
}
