using System.Text.Json.Serialization;

namespace Skein.Core.Guards;

/// <summary>One rule that matched an attempt, as recorded on the step.</summary>
public sealed record GuardMatch(string RuleId, GuardAction Then, string Reason)
{
    /// <summary>
    /// Set when the rule counts as matched because one of its conditions could not be evaluated (a pattern that
    /// timed out or does not compile): fail closed, and this says which condition and why.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FailedClosed { get; init; }
}

/// <summary>
/// The result of evaluating guard rules on one attempt: every matching rule in rule order, and the applied
/// <paramref name="Outcome"/> (<see cref="GuardAction.Allow"/> when nothing matched).
/// </summary>
public sealed record GuardDecision(GuardAction Outcome, IReadOnlyList<GuardMatch> Matched)
{
    /// <summary>The first matching rule (in rule order) whose action is the outcome; null when nothing
    /// matched.</summary>
    public GuardMatch? Applied => Matched.FirstOrDefault(m => m.Then == Outcome);

    [JsonIgnore]
    public bool IsAllowed => Outcome == GuardAction.Allow;

    /// <summary>
    /// Conditions that could not be evaluated (a pattern that timed out or does not compile). Such a condition
    /// counts as matching (fail closed); these texts are for logs and the step record.
    /// </summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}
