using System.Text.Json.Serialization;
using Skein.Manifests.Parsing;

namespace Skein.Manifests.Planning;

[JsonConverter(typeof(JsonStringEnumConverter<ChangeAction>))]
public enum ChangeAction
{
    [JsonStringEnumMemberName("create")]
    Create,

    [JsonStringEnumMemberName("update")]
    Update,

    [JsonStringEnumMemberName("unchanged")]
    Unchanged,
}

/// <summary>One line of a plan (SPEC section 8): <c>resource</c> (llmProvider, service, operation, agent, version,
/// subAgent, trigger), its <c>key</c> and the action.</summary>
public sealed record PlannedChange(string Resource, string Key, ChangeAction Action);

/// <summary>A resource to write: <see cref="ExistingId"/> is null for a create.</summary>
public sealed record Planned<T>(Guid? ExistingId, T Spec, ChangeAction Action);

/// <summary>A version to write: its content when new or changed (Testing only), and whether it goes live.</summary>
public sealed record PlannedVersion(
    Guid? ExistingId,
    VersionSpec Spec,
    bool WriteContent,
    bool Deploy,
    ChangeAction Action
)
{
    /// <summary>The existing version's allowed sub-agents (JSON array of names), to tell new links from kept
    /// ones.</summary>
    public string PreviousSubAgents { get; init; } = "[]";

    /// <summary>One plan line per allowed sub-agent: <c>agent/label -> sub-agent</c>, created or unchanged.</summary>
    public IEnumerable<PlannedChange> SubAgentLinks()
    {
        var before = System.Text.Json.JsonSerializer.Deserialize<List<string>>(PreviousSubAgents) ?? [];
        var after = System.Text.Json.JsonSerializer.Deserialize<List<string>>(Spec.AllowedSubAgents) ?? [];
        return after.Select(name => new PlannedChange(
            "subAgent",
            $"{Spec.AgentName}/{Spec.Label} -> {name}",
            before.Contains(name) ? ChangeAction.Unchanged : ChangeAction.Create
        ));
    }
}

/// <summary>What applying a manifest would do. Nothing here has been written; <see cref="Problems"/> stop the
/// apply.</summary>
public sealed record ManifestPlan
{
    public IReadOnlyList<ManifestProblem> Problems { get; init; } = [];
    public IReadOnlyList<Planned<ProviderSpec>> Providers { get; init; } = [];
    public IReadOnlyList<Planned<ServiceSpec>> Services { get; init; } = [];
    public IReadOnlyList<Planned<OperationSpec>> Operations { get; init; } = [];
    public IReadOnlyList<Planned<AgentSpec>> Agents { get; init; } = [];
    public IReadOnlyList<PlannedVersion> Versions { get; init; } = [];
    public IReadOnlyList<Planned<TriggerSpec>> Triggers { get; init; } = [];

    /// <summary>Secret values are write-only: written on every apply and never reported as changes (they cannot be
    /// compared).</summary>
    public IReadOnlyList<SecretWrite> Secrets { get; init; } = [];

    public bool IsValid => Problems.Count == 0;

    public IReadOnlyList<PlannedChange> Changes =>
        [
            .. Providers.Select(p => new PlannedChange("llmProvider", p.Spec.Name, p.Action)),
            .. Services.Select(s => new PlannedChange("service", s.Spec.Name, s.Action)),
            .. Operations.Select(o => new PlannedChange("operation", $"{o.Spec.ServiceName}/{o.Spec.Name}", o.Action)),
            .. Agents.Select(a => new PlannedChange("agent", a.Spec.Name, a.Action)),
            .. Versions.Select(v => new PlannedChange("version", $"{v.Spec.AgentName}/{v.Spec.Label}", v.Action)),
            .. Versions.SelectMany(v => v.SubAgentLinks()),
            .. Triggers.Select(t => new PlannedChange("trigger", $"{t.Spec.AgentName}/{t.Spec.Name}", t.Action)),
        ];
}
