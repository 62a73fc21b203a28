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
    /// The most time one <c>matches</c> pattern may take on one argument. A pattern that runs out of it does not
    /// match and is reported in <see cref="GuardDecision.Errors"/>, so a catastrophic pattern cannot stall the engine.
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
            if (!Matches(rule, attempt, errors))
            {
                continue;
            }

            matched.Add(new GuardMatch(rule.Id, rule.Then, rule.Reason));
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

    private static bool Matches(GuardRule rule, ToolAttempt attempt, List<string> errors)
    {
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

        for (var i = 0; i < when.Arguments.Count; i++)
        {
            if (!ArgumentMatcher.Matches(when.Arguments[i], attempt.Arguments, out var error))
            {
                if (error is not null)
                {
                    errors.Add($"guard rule '{rule.Id}': when.arguments[{i}] ({when.Arguments[i].Path}): {error}");
                }

                return false;
            }
        }

        return true;
    }
}
