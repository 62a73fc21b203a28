using System.Text.Json;

namespace Skein.Core.Guards;

/// <summary>
/// One tool-call attempt as the guard rules see it. <paramref name="RunCallCount"/> and
/// <paramref name="SessionCallCount"/> count the EARLIER attempts of the same tool name in the run and in the
/// session, whatever their outcome; the current attempt is not included (the first call has 0).
/// </summary>
public sealed record ToolAttempt(string ToolName, JsonElement Arguments, int RunCallCount, int SessionCallCount);

/// <summary>Evaluates guard rules on a tool-call attempt (SPEC section 5). Pure: no I/O, no clock.</summary>
public static class GuardEvaluator
{
    /// <summary>
    /// The most time one <c>matches</c> pattern may take on one argument. A pattern that runs out of it counts as
    /// matching (fail closed: a slow pattern must not let the call through) and is reported in
    /// <see cref="GuardDecision.Errors"/> and on the rule's <see cref="GuardMatch.FailedClosed"/>.
    /// </summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Records every rule whose condition matches, in rule order, and applies the highest-precedence action among
    /// them (terminate_session &gt; block &gt; pause &gt; allow). No match yields <see cref="GuardAction.Allow"/>.
    /// </summary>
    public static GuardDecision Evaluate(IReadOnlyList<GuardRule> rules, ToolAttempt attempt)
    {
        var matched = new List<GuardMatch>();
        var errors = new List<string>();
        var outcome = GuardAction.Allow;

        foreach (var rule in rules)
        {
            if (!Matches(rule, attempt, errors, out var failedClosed))
            {
                continue;
            }

            matched.Add(new GuardMatch(rule.Id, rule.Then, rule.Reason) { FailedClosed = failedClosed });
            if (Precedence(rule.Then) > Precedence(outcome))
            {
                outcome = rule.Then;
            }
        }

        return new GuardDecision(outcome, matched) { Errors = errors };
    }

    /// <summary>Higher wins: allow 0, pause 1, block 2, terminate_session 3.</summary>
    public static int Precedence(GuardAction action) =>
        action switch
        {
            GuardAction.TerminateSession => 3,
            GuardAction.Block => 2,
            GuardAction.Pause => 1,
            _ => 0,
        };

    private static bool Matches(GuardRule rule, ToolAttempt attempt, List<string> errors, out string? failedClosed)
    {
        failedClosed = null;
        var when = rule.When;
        if (when.IsEmpty)
        {
            return false;
        }

        // The cheap parts first; the current attempt counts, so "at least N" means "this is the N-th call or later".
        if (when.Tool is { } tool && !ToolNamePattern.Matches(tool, attempt.ToolName))
        {
            return false;
        }

        if (when.RunCallsAtLeast is { } runAtLeast && attempt.RunCallCount + 1 < runAtLeast)
        {
            return false;
        }

        if (when.SessionCallsAtLeast is { } sessionAtLeast && attempt.SessionCallCount + 1 < sessionAtLeast)
        {
            return false;
        }

        // A condition that cannot be evaluated counts as holding (fail closed); the others still have to hold.
        var unevaluated = new List<string>();
        for (var i = 0; i < when.Arguments.Count; i++)
        {
            if (ArgumentMatcher.Matches(when.Arguments[i], attempt.Arguments, out var error))
            {
                continue;
            }

            if (error is null)
            {
                return false;
            }

            var why = $"when.arguments[{i}] ({when.Arguments[i].Path}): {error}; treated as a match (fail closed)";
            errors.Add($"guard rule '{rule.Id}': {why}");
            unevaluated.Add(why);
        }

        failedClosed = unevaluated.Count > 0 ? string.Join("; ", unevaluated) : null;
        return true;
    }
}
