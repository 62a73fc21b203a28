namespace Skein.Core.Triggers;

/// <summary>
/// Settings of an agent's <c>api</c> trigger (SPEC section 1). Null limits mean unlimited; an empty
/// allowlist admits every address.
/// </summary>
public sealed record ApiTriggerSettings
{
    public int? RpmLimit { get; init; }
    public int? MaxConcurrentRuns { get; init; }
    public IReadOnlyList<string> IpAllowlist { get; init; } = [];

    /// <summary>When false, API-key callers see output only (see <see
    /// cref="Redaction.OutputOnlyRedaction"/>).</summary>
    public bool ExposeStepTimeline { get; init; } = true;

    /// <summary>When false, <c>approval</c> tasks of this agent's runs are answered in the dashboard only (see
    /// <see cref="UserTasks.AnswerPolicy"/>).</summary>
    public bool ApiCanAnswerApprovals { get; init; } = true;

    /// <summary>The largest run input or message body accepted, in bytes; null uses the workspace's (see <see
    /// cref="Limits.InputLimits"/>).</summary>
    public int? MaxInputBytes { get; init; }
}

public static class TriggerTypes
{
    public const string Api = "api";
    public const string Scheduled = "scheduled";
    public const string Event = "event";
}
