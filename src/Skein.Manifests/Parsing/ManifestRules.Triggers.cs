using Cronos;
using Skein.Manifests.Documents;

namespace Skein.Manifests.Parsing;

/// <summary>Trigger rules: a known agent that is not a sub-agent, unique names, one api trigger, valid schedules and
/// limits.</summary>
public static partial class ManifestRules
{
    private static void CheckTriggers(
        ManifestDocument manifest,
        LineMap lines,
        List<ManifestProblem> errors,
        List<ManifestProblem> warnings
    )
    {
        var agents = manifest.Agents.ToDictionary(a => a.ManifestKey, StringComparer.Ordinal);
        var names = new HashSet<(string, string)>();
        var apiTriggers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < manifest.Triggers.Count; i++)
        {
            var trigger = manifest.Triggers[i];
            var path = $"triggers[{i}]";
            if (!agents.TryGetValue(trigger.AgentManifestKey, out var agent))
            {
                errors.Add(
                    lines.Problem(
                        $"{path}.agentManifestKey",
                        $"no agent with manifestKey '{trigger.AgentManifestKey}' in this manifest"
                    )
                );
                continue;
            }

            if (agent.ExecutionMode == "sub_agent")
            {
                errors.Add(
                    lines.Problem(
                        $"{path}.agentManifestKey",
                        $"agent '{agent.Name}' is a sub-agent: sub-agents have no triggers"
                    )
                );
            }

            if (!names.Add((trigger.AgentManifestKey, trigger.Name)))
            {
                errors.Add(
                    lines.Problem($"{path}.name", $"agent '{agent.Name}' already has a trigger named '{trigger.Name}'")
                );
            }

            if (trigger.RpmLimit is < 0 || trigger.MaxConcurrentRuns is < 0)
            {
                errors.Add(
                    lines.Problem(
                        $"{path}.{(trigger.RpmLimit is < 0 ? "rpmLimit" : "maxConcurrentRuns")}",
                        "must be 0 (unlimited) or more"
                    )
                );
            }

            if (trigger.MaxInputTokens is not null)
            {
                warnings.Add(lines.Problem($"{path}.maxInputTokens", "not enforced by Skein; ignored"));
            }

            foreach (var (entry, j) in (trigger.IpAllowlist ?? []).Select((e, j) => (e, j)))
            {
                if (!System.Net.IPNetwork.TryParse(entry, out _) && !System.Net.IPAddress.TryParse(entry, out _))
                {
                    errors.Add(
                        lines.Problem(
                            $"{path}.ipAllowlist[{j}]",
                            $"'{entry}' is neither an IP address nor a CIDR range"
                        )
                    );
                }
            }

            switch (trigger.Type)
            {
                case "api" when !apiTriggers.TryAdd(trigger.AgentManifestKey, i):
                    errors.Add(
                        lines.Problem(
                            $"{path}.type",
                            $"agent '{agent.Name}' already has an api trigger at triggers[{apiTriggers[trigger.AgentManifestKey]}] (at most one)"
                        )
                    );
                    break;
                case "scheduled":
                    CheckSchedule(trigger, path, lines, errors);
                    break;
                case "event" when string.IsNullOrEmpty(trigger.SigningSecret):
                    errors.Add(
                        lines.Problem(
                            $"{path}.signingSecret",
                            "is required for an event trigger (normally {{inputs.key}} from a values file)"
                        )
                    );
                    break;
            }
        }
    }

    private static void CheckSchedule(ManifestTrigger trigger, string path, LineMap lines, List<ManifestProblem> errors)
    {
        if (string.IsNullOrWhiteSpace(trigger.Cron))
        {
            errors.Add(lines.Problem($"{path}.cron", "is required for a scheduled trigger"));
        }
        else
        {
            try
            {
                CronExpression.Parse(
                    trigger.Cron,
                    trigger.Cron.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6
                        ? CronFormat.IncludeSeconds
                        : CronFormat.Standard
                );
            }
            catch (CronFormatException e)
            {
                errors.Add(lines.Problem($"{path}.cron", $"not a valid cron expression: {e.Message}"));
            }
        }

        if (trigger.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors.Add(
                lines.Problem(
                    $"{path}.timeZone",
                    $"'{zone}' is not a known time zone (use an IANA name such as Europe/Paris)"
                )
            );
        }
    }
}
