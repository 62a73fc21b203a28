using Skein.Core.Triggers;
using Skein.Manifests.Documents;
using Skein.Manifests.Planning;
using Skein.Manifests.Scheduling;

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

            if (TriggerRules.CheckAgentMayHaveTriggers(ManifestMapping.ModeOf(agent.ExecutionMode)) is { } subAgent)
            {
                errors.Add(lines.Problem($"{path}.agentManifestKey", $"agent '{agent.Name}': {subAgent.Message}"));
            }

            if (TriggerRules.CheckName(trigger.Name) is { } badName)
            {
                errors.Add(lines.Problem($"{path}.name", badName.Message));
            }
            else if (
                TriggerRules.CheckNameFree(trigger.Name, !names.Add((trigger.AgentManifestKey, trigger.Name))) is
                { } taken
            )
            {
                errors.Add(lines.Problem($"{path}.name", $"agent '{agent.Name}': {taken.Message}"));
            }

            if (TriggerRules.CheckLimits(trigger.RpmLimit, trigger.MaxConcurrentRuns) is { } limits)
            {
                errors.Add(
                    lines.Problem(
                        $"{path}.{(trigger.RpmLimit is < 0 ? "rpmLimit" : "maxConcurrentRuns")}",
                        limits.Message
                    )
                );
            }

            if (trigger.MaxInputTokens is not null)
            {
                warnings.Add(lines.Problem($"{path}.maxInputTokens", "not enforced by Skein; ignored"));
            }

            foreach (var (entry, j) in (trigger.IpAllowlist ?? []).Select((e, j) => (e, j)))
            {
                if (TriggerRules.CheckAllowlistEntry(entry) is { } badEntry)
                {
                    errors.Add(lines.Problem($"{path}.ipAllowlist[{j}]", badEntry.Message));
                }
            }

            switch (trigger.Type)
            {
                case TriggerTypes.Api
                    when TriggerRules.CheckOneApiTrigger(!apiTriggers.TryAdd(trigger.AgentManifestKey, i))
                        is { } second:
                    errors.Add(
                        lines.Problem(
                            $"{path}.type",
                            $"agent '{agent.Name}': {second.Message} "
                                + $"(the first is triggers[{apiTriggers[trigger.AgentManifestKey]}])"
                        )
                    );
                    break;
                case TriggerTypes.Scheduled:
                    CheckSchedule(trigger, path, lines, errors);
                    if (TriggerRules.CheckScheduledInput(trigger.Input) is { } badInput)
                    {
                        errors.Add(lines.Problem($"{path}.input", badInput.Message));
                    }

                    break;
                case TriggerTypes.Event:
                    if (TriggerRules.CheckInputPath(trigger.InputPath) is { } badPath)
                    {
                        errors.Add(lines.Problem($"{path}.inputPath", badPath.Message));
                    }

                    if (string.IsNullOrEmpty(trigger.SigningSecret))
                    {
                        errors.Add(
                            lines.Problem(
                                $"{path}.signingSecret",
                                "is required for an event trigger (normally {{inputs.key}} from a values file)"
                            )
                        );
                    }

                    break;
            }
        }
    }

    private static void CheckSchedule(ManifestTrigger trigger, string path, LineMap lines, List<ManifestProblem> errors)
    {
        if (CronSchedule.CheckCron(trigger.Cron) is { } badCron)
        {
            errors.Add(lines.Problem($"{path}.cron", badCron.Message));
        }

        if (CronSchedule.CheckZone(trigger.TimeZone) is { } badZone)
        {
            errors.Add(lines.Problem($"{path}.timeZone", badZone.Message));
        }
    }
}
