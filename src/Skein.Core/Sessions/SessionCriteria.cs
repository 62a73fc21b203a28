namespace Skein.Core.Sessions;

/// <summary>
/// What a session search asks for (SPEC section 10: <c>q, agentId, status, triggerType, from, to, tag</c>). Every
/// caller (the API, the dashboard, a bulk action's filter) builds it through <see cref="Parse"/>, so the bounds hold
/// once: the text is cut into at most <see cref="MaxTerms"/> words, each matched as a whole word.
/// </summary>
public sealed record SessionCriteria
{
    public const int MaxQueryLength = 200;
    public const int MaxTerms = 8;
    public const int MaxTagFilters = 4;

    public static readonly SessionCriteria None = new();

    public Guid? AgentId { get; init; }
    public SessionStatus? Status { get; init; }
    public TriggerType? TriggerType { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }

    /// <summary>Words that must all occur in the input, output or error (empty: no text condition).</summary>
    public IReadOnlyList<string> Terms { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>The text the terms came from, as the caller typed it (for links and forms).</summary>
    public string? Query { get; init; }

    public bool IsEmpty =>
        AgentId is null
        && Status is null
        && TriggerType is null
        && From is null
        && To is null
        && Terms.Count == 0
        && Tags.Count == 0;

    public static Result<SessionCriteria> Parse(
        string? q,
        Guid? agentId,
        string? status,
        string? triggerType,
        DateTimeOffset? from,
        DateTimeOffset? to,
        IReadOnlyList<string>? tags
    )
    {
        SessionStatus? parsedStatus = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (
                !Enum.TryParse<SessionStatus>(status, ignoreCase: false, out var s)
                || !Enum.IsDefined(s)
                || char.IsAsciiDigit(status[0])
            )
            {
                return Invalid($"unknown status '{Cut(status)}'");
            }

            parsedStatus = s;
        }

        TriggerType? parsedType = null;
        if (!string.IsNullOrEmpty(triggerType))
        {
            if (!TriggerTypeNames.TryParse(triggerType, out var t) || char.IsAsciiDigit(triggerType[0]))
            {
                return Invalid($"unknown triggerType '{Cut(triggerType)}' (console, api, scheduled or event)");
            }

            parsedType = t;
        }

        if (from is { } f && to is { } until && f > until)
        {
            return Invalid("'from' must not be after 'to'");
        }

        var terms = Words(q);
        if (q is { Length: > MaxQueryLength })
        {
            return Invalid($"q is at most {MaxQueryLength} characters");
        }

        if (terms.Count > MaxTerms)
        {
            return Invalid($"q has at most {MaxTerms} words");
        }

        var tagFilters = new List<KeyValuePair<string, string>>();
        foreach (var tag in tags ?? [])
        {
            if (tagFilters.Count == MaxTagFilters)
            {
                return Invalid($"at most {MaxTagFilters} tag filters");
            }

            var colon = tag.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return Invalid($"tag filters are key:value (got '{Cut(tag)}')");
            }

            var key = tag[..colon];
            var value = tag[(colon + 1)..];
            if (SessionTags.CheckKey(key) is { } badKey)
            {
                return Invalid(badKey);
            }

            if (value.Length > SessionTags.MaxValueLength)
            {
                return Invalid($"tag values are at most {SessionTags.MaxValueLength} characters");
            }

            tagFilters.Add(new(key, value));
        }

        return new SessionCriteria
        {
            AgentId = agentId,
            Status = parsedStatus,
            TriggerType = parsedType,
            From = from,
            To = to,
            Terms = terms,
            Tags = tagFilters,
            Query = string.IsNullOrWhiteSpace(q) ? null : q.Trim(),
        };
    }

    /// <summary>The words of a query: runs of letters and digits, lower-cased (both stores' full-text indexes split
    /// and fold text the same way); duplicates dropped.</summary>
    public static IReadOnlyList<string> Words(string? q)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return [];
        }

        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= q.Length; i++)
        {
            var inWord = i < q.Length && char.IsLetterOrDigit(q[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                var word = q[start..i].ToLowerInvariant();
                if (!words.Contains(word))
                {
                    words.Add(word);
                }

                start = -1;
            }
        }

        return words;
    }

    private static Result<SessionCriteria> Invalid(string detail) =>
        new DomainError(DomainErrorCodes.InvalidInput, detail);

    private static string Cut(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
