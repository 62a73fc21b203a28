using System.Text.Json;

namespace Skein.Server.Api.Admin;

/// <summary>
/// Create/edit body for any trigger type; only the fields of the trigger's type apply, and on edit an
/// absent field keeps its value. api: rpmLimit, maxConcurrentRuns, ipAllowlist, exposeStepTimeline.
/// scheduled: cron, timeZone, input. event: signingSecretName (an existing secret) or signingSecret
/// (a value to store), inputPath.
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
);
