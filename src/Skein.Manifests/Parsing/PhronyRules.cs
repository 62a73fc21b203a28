using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skein.Core.Guards;

namespace Skein.Manifests.Parsing;

/// <summary>
/// Phrony's L1 firewall rules (<c>anomalyControl: true</c> + <c>rules</c>) as Skein guard rules with the same
/// meaning. A rule's <c>when</c> is brought to a list of alternatives (any_of and multi-name tool_name_in branch), each
/// one Skein rule; a rule that becomes several keeps its id with <c>#n</c> appended. A predicate Skein cannot enforce
/// identically is refused at its line, never dropped.
/// </summary>
internal static class PhronyRules
{
    /// <summary>More alternatives than this are refused: a rule set should stay readable in the editor.</summary>
    public const int MaxRulesPerVersion = 100;

    private const string Supported =
        "tool_name_in, arg_gt, arg_missing, arg_regex, call_count_in_run_gt, call_count_in_session_gt, all_of, "
        + "any_of, not (around arg_missing)";

    private static readonly HashSet<string> Actions = ["allow", "block", "pause", "terminate_session"];
    private static readonly HashSet<string> RuleKeys = ["id", "when", "then", "reason"];

    public static void Translate(JsonObject version, string path, LineMap lines, List<ManifestProblem> errors)
    {
        var hasFlag = version.TryGetPropertyValue("anomalyControl", out var flag);
        var hasRules = version.TryGetPropertyValue("rules", out var rules);
        if (!hasFlag && !hasRules)
        {
            return;
        }

        version.Remove("anomalyControl");
        version.Remove("rules");
        if (flag is not null && flag.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            errors.Add(lines.Problem($"{path}.anomalyControl", "must be true or false"));
            return;
        }

        if (rules is null)
        {
            return;
        }

        if (rules is not JsonArray list)
        {
            errors.Add(lines.Problem($"{path}.rules", "must be a list of rules"));
            return;
        }

        if (list.Count == 0)
        {
            return;
        }

        if (flag?.GetValue<bool>() == false)
        {
            // Skein has no switched-off rules: keeping them would enforce what the file turned off, dropping them
            // would lose them silently.
            errors.Add(
                lines.Problem(
                    $"{path}.anomalyControl",
                    "is false while rules are listed: set it to true to enforce them, or remove the rules"
                )
            );
            return;
        }

        if (version.ContainsKey("guardRules"))
        {
            errors.Add(lines.Problem($"{path}.rules", "give guardRules or anomalyControl/rules, not both"));
            return;
        }

        var translated = new JsonArray();
        var before = errors.Count;
        for (var k = 0; k < list.Count; k++)
        {
            var rulePath = $"{path}.rules[{k}]";
            foreach (var rule in Rule(list[k], rulePath, lines, errors))
            {
                lines.Set($"{path}.guardRules[{translated.Count}]", lines.LineOf(rulePath) ?? 0);
                translated.Add(rule);
            }
        }

        if (translated.Count > MaxRulesPerVersion)
        {
            errors.Add(
                lines.Problem(
                    $"{path}.rules",
                    $"the rules expand to {translated.Count} guard rules (any_of and tool_name_in branch); "
                        + $"at most {MaxRulesPerVersion}"
                )
            );
        }

        if (errors.Count == before)
        {
            version["guardRules"] = translated;
            lines.Set($"{path}.guardRules", lines.LineOf($"{path}.rules") ?? 0);
        }
    }

    private static List<JsonObject> Rule(JsonNode? node, string path, LineMap lines, List<ManifestProblem> errors)
    {
        if (node is not JsonObject rule)
        {
            errors.Add(lines.Problem(path, "a rule is a mapping {id, when, then, reason}"));
            return [];
        }

        var ok = true;
        foreach (var key in rule.Select(p => p.Key).Where(k => !RuleKeys.Contains(k)))
        {
            errors.Add(lines.Problem($"{path}.{key}", "unknown rule key (a rule has id, when, then, reason)"));
            ok = false;
        }

        var id = Text(rule["id"]);
        if (string.IsNullOrWhiteSpace(id))
        {
            errors.Add(lines.Problem($"{path}.id", "is required"));
            ok = false;
        }

        var then = Text(rule["then"]);
        if (then is null || !Actions.Contains(then))
        {
            errors.Add(lines.Problem($"{path}.then", "must be one of allow, block, pause, terminate_session"));
            ok = false;
        }

        var reason = rule["reason"] is null ? "" : Text(rule["reason"]);
        if (reason is null)
        {
            errors.Add(lines.Problem($"{path}.reason", "must be a string"));
            ok = false;
        }

        List<Alternative> alternatives;
        if (rule["when"] is null or JsonObject { Count: 0 })
        {
            alternatives = [];
        }
        else if (rule["when"] is JsonObject when)
        {
            var before = errors.Count;
            alternatives = All(when, $"{path}.when", lines, errors);
            ok &= errors.Count == before;
        }
        else
        {
            errors.Add(lines.Problem($"{path}.when", "must be a mapping of conditions"));
            return [];
        }

        if (!ok)
        {
            return [];
        }

        // An empty when (or one no call can satisfy) matches nothing, in both formats: keep the rule, visibly inert.
        var conditions = alternatives.SelectMany(a => a.Conditions()).ToList();
        if (conditions.Count == 0)
        {
            conditions.Add(new JsonObject());
        }

        return
        [
            .. conditions.Select(
                (when, n) =>
                    new JsonObject
                    {
                        ["id"] = conditions.Count == 1 ? id : $"{id}#{n + 1}",
                        ["when"] = when,
                        ["then"] = then,
                        ["reason"] = reason,
                    }
            ),
        ];
    }

    /// <summary>The predicates of one mapping, ANDed: every combination of their alternatives.</summary>
    private static List<Alternative> All(JsonObject when, string path, LineMap lines, List<ManifestProblem> errors)
    {
        List<Alternative> result = [Alternative.Any];
        foreach (var (key, value) in when)
        {
            var alternatives = Predicate(key, value, $"{path}.{key}", lines, errors);
            result = [.. result.SelectMany(a => alternatives.Select(b => a.And(b))).OfType<Alternative>()];
            if (result.Count > MaxRulesPerVersion)
            {
                errors.Add(lines.Problem(path, $"expands to more than {MaxRulesPerVersion} alternatives"));
                return [];
            }
        }

        return result;
    }

    private static List<Alternative> Predicate(
        string key,
        JsonNode? value,
        string path,
        LineMap lines,
        List<ManifestProblem> errors
    )
    {
        switch (key)
        {
            case "tool_name_in":
                var names = value is JsonArray array ? array.Select(Text).ToList() : [];
                if (names.Count == 0 || names.Any(string.IsNullOrWhiteSpace))
                {
                    errors.Add(lines.Problem(path, "must be a non-empty list of tool names"));
                    return [];
                }

                return [Alternative.Any with { Tools = [.. names.OfType<string>()] }];
            case "arg_gt":
                return Argument(value, path, "value", ArgumentOps.Gt, JsonValueKind.Number, lines, errors);
            case "arg_regex":
                return Argument(value, path, "pattern", ArgumentOps.Matches, JsonValueKind.String, lines, errors);
            case "arg_missing":
                return Argument(value, path, null, ArgumentOps.NotExists, JsonValueKind.Undefined, lines, errors);
            case "call_count_in_run_gt":
            case "call_count_in_session_gt":
                return CallCount(key, value, path, lines, errors);
            case "call_count_in_window_gt":
                errors.Add(
                    lines.Problem(
                        path,
                        "Phrony checks windowed counts only after the fact (never at the call); Skein has no such "
                            + "check: remove it, or use call_count_in_run_gt / call_count_in_session_gt"
                    )
                );
                return [];
            case "all_of":
            case "any_of":
                if (value is not JsonArray parts)
                {
                    errors.Add(lines.Problem(path, "must be a list of condition mappings"));
                    return [];
                }

                var branches = new List<List<Alternative>>();
                for (var i = 0; i < parts.Count; i++)
                {
                    if (parts[i] is not JsonObject part)
                    {
                        errors.Add(lines.Problem($"{path}[{i}]", "must be a mapping of conditions"));
                        return [];
                    }

                    branches.Add(All(part, $"{path}[{i}]", lines, errors));
                }

                return key == "any_of"
                    ? [.. branches.SelectMany(b => b)]
                    : branches.Aggregate(new List<Alternative> { Alternative.Any }, (acc, b) =>
                        [.. acc.SelectMany(a => b.Select(x => a.And(x))).OfType<Alternative>()]
                    );
            case "not":
                if (value is JsonObject { Count: 1 } inner && inner["arg_missing"] is { } missing)
                {
                    return Argument(
                        missing,
                        $"{path}.arg_missing",
                        null,
                        ArgumentOps.Exists,
                        JsonValueKind.Undefined,
                        lines,
                        errors
                    );
                }

                errors.Add(lines.Problem(path, "Skein applies not only around a single arg_missing"));
                return [];
            default:
                errors.Add(lines.Problem(path, $"unknown predicate '{key}'; Skein applies {Supported}"));
                return [];
        }
    }

    private static List<Alternative> Argument(
        JsonNode? value,
        string path,
        string? operandKey,
        string op,
        JsonValueKind operandKind,
        LineMap lines,
        List<ManifestProblem> errors
    )
    {
        var expected = operandKey is null ? "{path}" : $"{{path, {operandKey}}}";
        if (value is not JsonObject spec || ArgumentPath(Text(spec["path"])) is not { } argumentPath)
        {
            errors.Add(lines.Problem(path, $"must be {expected} with a dot path into the arguments"));
            return [];
        }

        var condition = new JsonObject { ["path"] = argumentPath, ["op"] = op };
        if (operandKey is not null)
        {
            if (spec[operandKey]?.GetValueKind() != operandKind)
            {
                var kind = operandKind == JsonValueKind.Number ? "a number" : "a string";
                errors.Add(lines.Problem($"{path}.{operandKey}", $"must be {kind}"));
                return [];
            }

            condition["value"] = spec[operandKey]!.DeepClone();
        }

        return [Alternative.Any with { Arguments = [condition] }];
    }

    private static List<Alternative> CallCount(
        string key,
        JsonNode? value,
        string path,
        LineMap lines,
        List<ManifestProblem> errors
    )
    {
        if (
            value is not JsonObject spec
            || spec["value"]?.GetValueKind() != JsonValueKind.Number
            || !int.TryParse(spec["value"]!.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
        )
        {
            errors.Add(lines.Problem(path, "must be {tool, value} with a whole number value of 0 or more"));
            return [];
        }

        // Skein counts the calls of the tool being attempted; without a tool Phrony counts every call, which differs.
        if (Text(spec["tool"]) is not { Length: > 0 } tool)
        {
            errors.Add(
                lines.Problem(
                    path,
                    "needs tool: Skein counts the calls of one tool, while without tool every call is counted"
                )
            );
            return [];
        }

        // "greater than n" counts this attempt: n = 2 matches the third call, Skein's "at least the 3rd".
        return key == "call_count_in_run_gt"
            ? [Alternative.Any with { Tools = [tool], RunCallsAtLeast = n + 1 }]
            : [Alternative.Any with { Tools = [tool], SessionCallsAtLeast = n + 1 }];
    }

    /// <summary>A Phrony argument path (<c>amount</c>, <c>$.items[0].price</c>) as a Skein dot path
    /// (<c>items.0.price</c>); null when it is not one.</summary>
    private static string? ArgumentPath(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var dotted = (path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path)
            .Replace("[", ".", StringComparison.Ordinal)
            .Replace("]", "", StringComparison.Ordinal);
        return dotted.Split('.').Any(string.IsNullOrEmpty) ? null : dotted;
    }

    private static string? Text(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    /// <summary>One conjunction of conditions. <see cref="Tools"/> null means any tool; a list means one of
    /// them.</summary>
    private sealed record Alternative
    {
        public static readonly Alternative Any = new();

        public IReadOnlyList<string>? Tools { get; init; }
        public IReadOnlyList<JsonObject> Arguments { get; init; } = [];
        public int? RunCallsAtLeast { get; init; }
        public int? SessionCallsAtLeast { get; init; }

        /// <summary>Both at once; null when no tool can satisfy both (the branch matches nothing).</summary>
        public Alternative? And(Alternative other)
        {
            var tools =
                Tools is null ? other.Tools
                : other.Tools is null ? Tools
                : [.. Tools.Intersect(other.Tools, StringComparer.Ordinal)];
            return tools is { Count: 0 }
                ? null
                : new Alternative
                {
                    Tools = tools,
                    Arguments = [.. Arguments, .. other.Arguments],
                    RunCallsAtLeast = Max(RunCallsAtLeast, other.RunCallsAtLeast),
                    SessionCallsAtLeast = Max(SessionCallsAtLeast, other.SessionCallsAtLeast),
                };
        }

        /// <summary>Skein conditions (one per tool name); a branch with no condition at all matches every call,
        /// written as the tool glob <c>*</c>.</summary>
        public IEnumerable<JsonObject> Conditions() =>
            (Tools ?? ["*"]).Select(tool =>
            {
                var when = new JsonObject { ["tool"] = tool };
                if (Arguments.Count > 0)
                {
                    when["arguments"] = new JsonArray([.. Arguments.Select(a => a.DeepClone())]);
                }

                if (RunCallsAtLeast is { } run)
                {
                    when["run_calls_at_least"] = run;
                }

                if (SessionCallsAtLeast is { } session)
                {
                    when["session_calls_at_least"] = session;
                }

                return when;
            });

        private static int? Max(int? a, int? b) =>
            a is null ? b
            : b is null ? a
            : Math.Max(a.Value, b.Value);
    }
}
