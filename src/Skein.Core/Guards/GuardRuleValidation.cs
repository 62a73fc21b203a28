using System.Text.Json;
using System.Text.RegularExpressions;
using Skein.Core.Agents;

namespace Skein.Core.Guards;

/// <summary>Save-time checks of a version's guard rules. Each message names the rule by index and id.</summary>
public static class GuardRuleValidation
{
    public const string PauseNeedsHumanAgent = "pause needs a HITL or SubAgent agent";

    /// <summary>Returns every problem found; an empty list means the rules may be saved on a version of this
    /// mode.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<GuardRule> rules, ExecutionMode mode)
    {
        var errors = new List<string>();
        var firstIndexById = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var label = string.IsNullOrWhiteSpace(rule.Id) ? $"guardRules[{i}]" : $"guardRules[{i}] ({rule.Id})";

            if (string.IsNullOrWhiteSpace(rule.Id))
            {
                errors.Add($"{label}: id must not be empty");
            }
            else if (!firstIndexById.TryAdd(rule.Id, i))
            {
                errors.Add($"{label}: id is already used by guardRules[{firstIndexById[rule.Id]}]");
            }

            if (!Enum.IsDefined(rule.Then))
            {
                errors.Add($"{label}: then must be one of allow, block, pause, terminate_session");
            }
            else if (rule.Then == GuardAction.Pause && mode == ExecutionMode.Request)
            {
                errors.Add($"{label}: {PauseNeedsHumanAgent}");
            }

            ValidateCondition(rule.When, label, errors);
        }

        return errors;
    }

    private static void ValidateCondition(GuardCondition when, string label, List<string> errors)
    {
        if (when.Tool is { } tool && string.IsNullOrWhiteSpace(tool))
        {
            errors.Add($"{label}: when.tool must not be empty");
        }

        if (when.RunCallsAtLeast is < 1)
        {
            errors.Add($"{label}: when.run_calls_at_least must be at least 1");
        }

        if (when.SessionCallsAtLeast is < 1)
        {
            errors.Add($"{label}: when.session_calls_at_least must be at least 1");
        }

        for (var k = 0; k < when.Arguments.Count; k++)
        {
            var argument = when.Arguments[k];
            if (ArgumentError(argument) is { } error)
            {
                errors.Add($"{label}: when.arguments[{k}] ({argument.Path}): {error}");
            }
        }
    }

    private static string? ArgumentError(ArgumentCondition argument)
    {
        if (string.IsNullOrEmpty(argument.Path) || argument.Path.Split('.').Any(string.IsNullOrEmpty))
        {
            return "path must be a dot path of non-empty segments (e.g. beneficiary.country)";
        }

        var op = argument.Op;
        var kind = argument.Value is { } value ? value.ValueKind : JsonValueKind.Undefined;
        if (op is ArgumentOps.Exists or ArgumentOps.NotExists)
        {
            return kind is JsonValueKind.Undefined or JsonValueKind.Null ? null : $"op '{op}' takes no value";
        }

        if (ArgumentOps.IsNumeric(op))
        {
            return kind == JsonValueKind.Number ? null : $"op '{op}' needs a number value";
        }

        switch (op)
        {
            case ArgumentOps.Eq or ArgumentOps.Ne:
                return kind is JsonValueKind.Undefined or JsonValueKind.Null
                    ? $"op '{op}' needs a value (to test for null or absence use not_exists)"
                    : null;
            case ArgumentOps.In or ArgumentOps.NotIn:
                return kind == JsonValueKind.Array ? null : $"op '{op}' needs an array value";
            case ArgumentOps.Matches:
                return kind == JsonValueKind.String
                    ? PatternError(argument.Value.GetValueOrDefault().GetString() ?? "")
                    : "op 'matches' needs a string value (a regular expression)";
            default:
                return $"unknown op '{op}'; expected one of {string.Join(", ", ArgumentOps.All)}";
        }
    }

    private static string? PatternError(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, GuardEvaluator.RegexTimeout);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"pattern is not a valid regular expression: {e.Message}";
        }
    }
}
