using System.Text.Json;
using Skein.Core.Triggers;

namespace Skein.Application.Triggers;

/// <summary>
/// Create/edit body for any trigger type; only the fields of the trigger's type apply, and on edit an
/// absent field keeps its value. api: rpmLimit, maxConcurrentRuns, ipAllowlist, exposeStepTimeline,
/// apiCanAnswerApprovals, maxInputBytes.
/// scheduled: cron, timeZone, input. event: signingSecretName (an existing secret) or signingSecret
/// (a value to store), inputPath, maxInputBytes.
/// </summary>
public sealed record TriggerBody(
    string? Name,
    string? Type,
    bool? Active,
    int? RpmLimit,
    int? MaxConcurrentRuns,
    IReadOnlyList<string>? IpAllowlist,
    bool? ExposeStepTimeline,
    string? Cron,
    string? TimeZone,
    JsonElement? Input,
    string? SigningSecretName,
    string? SigningSecret,
    string? InputPath,
    bool? RotateSigningSecret
)
{
    /// <summary>api: whether API keys may answer approval tasks (default true).</summary>
    public bool? ApiCanAnswerApprovals { get; init; }

    /// <summary>api and event: the largest body accepted, in bytes (null: the workspace's).</summary>
    public int? MaxInputBytes { get; init; }
}

/// <summary>Body of <c>PUT /api/agents/{agentId}/triggers/api</c> and the dashboard's api trigger form: the api
/// trigger's fields of <see cref="TriggerBody"/>; absent fields keep their value.</summary>
public sealed record ApiTriggerBody(
    string? Name,
    bool? Active,
    int? RpmLimit,
    int? MaxConcurrentRuns,
    IReadOnlyList<string>? IpAllowlist,
    bool? ExposeStepTimeline
)
{
    /// <summary>Whether API keys may answer approval tasks of this agent's runs (default true).</summary>
    public bool? ApiCanAnswerApprovals { get; init; }

    /// <summary>The largest run input or message body accepted, in bytes (null: the workspace's).</summary>
    public int? MaxInputBytes { get; init; }

    public TriggerBody AsTriggerBody() =>
        new(
            Name,
            TriggerTypes.Api,
            Active,
            RpmLimit,
            MaxConcurrentRuns,
            IpAllowlist,
            ExposeStepTimeline,
            null,
            null,
            null,
            null,
            null,
            null,
            null
        )
        {
            ApiCanAnswerApprovals = ApiCanAnswerApprovals,
            MaxInputBytes = MaxInputBytes,
        };
}
