using System.Net;
using System.Text.Json;
using Skein.Core.Agents;

namespace Skein.Core.Triggers;

/// <summary>
/// Every rule a trigger's configuration obeys, one pure function each: the management API, the dashboard,
/// manifests and the api trigger's admission all ask here and never re-check on their own. A check returns null
/// when the rule holds, else the <see cref="DomainError"/> that names it.
/// </summary>
public static class TriggerRules
{
    /// <summary>Trigger names share the store's column length.</summary>
    public const int MaxNameLength = 200;

    /// <summary>A signing secret given by the caller: long enough to resist guessing, short enough to store.</summary>
    public const int MinSigningSecretLength = 16;

    public const int MaxSigningSecretLength = 16 * 1024;

    public static bool IsKnownType(string? type) =>
        type is TriggerTypes.Api or TriggerTypes.Scheduled or TriggerTypes.Event;

    public static DomainError? CheckType(string? type) =>
        IsKnownType(type) ? null : DomainError.Invalid("type must be 'api', 'scheduled' or 'event'");

    /// <summary>A trigger name is 1 to <see cref="MaxNameLength"/> characters, not blank, and has no control
    /// characters (PostgreSQL cannot store a NUL in text).</summary>
    public static DomainError? CheckName(string? name) =>
        name is not null
        && !string.IsNullOrWhiteSpace(name)
        && name.Length <= MaxNameLength
        && !name.Any(char.IsControl)
            ? null
            : DomainError.Invalid(
                $"a trigger name is 1 to {MaxNameLength} characters, not blank, no control characters"
            );

    /// <summary>Names are unique per agent.</summary>
    public static DomainError? CheckNameFree(string name, bool takenByAnother) =>
        takenByAnother ? DomainError.Conflict($"the agent already has a trigger named '{name}'") : null;

    /// <summary>Sub-agents are called by their parent agents, so they have no triggers of any type.</summary>
    public static DomainError? CheckAgentMayHaveTriggers(ExecutionMode mode) =>
        mode == ExecutionMode.SubAgent
            ? DomainError.Invalid("SubAgent agents have no triggers: they are called by their parent agents")
            : null;

    /// <summary>An agent has at most one api trigger (the one <c>/v1</c> starts go through).</summary>
    public static DomainError? CheckOneApiTrigger(bool agentHasApiTrigger) =>
        agentHasApiTrigger
            ? DomainError.Conflict("the agent already has its api trigger (one per agent); edit that one")
            : null;

    /// <summary>Requests per minute and concurrent runs are 0 (unlimited) or more; null keeps the current
    /// value.</summary>
    public static DomainError? CheckLimits(int? rpmLimit, int? maxConcurrentRuns) =>
        rpmLimit is < 0 || maxConcurrentRuns is < 0
            ? DomainError.Invalid("rpmLimit and maxConcurrentRuns must be 0 (unlimited) or more")
            : null;

    /// <summary>An allowlist entry is an IP address or a CIDR range.</summary>
    public static bool IsAllowlistEntry(string? entry) =>
        entry is not null && (IPNetwork.TryParse(entry, out _) || IPAddress.TryParse(entry, out _));

    public static DomainError? CheckAllowlistEntry(string? entry) =>
        IsAllowlistEntry(entry)
            ? null
            : DomainError.Invalid($"'{entry ?? "null"}' is neither an IP address nor a CIDR range");

    /// <summary>Every entry must be valid. JSON can carry null entries despite a non-null element type: they are
    /// invalid like any other.</summary>
    public static DomainError? CheckAllowlist(IEnumerable<string?>? entries) =>
        entries?.Select(CheckAllowlistEntry).FirstOrDefault(e => e is not null);

    /// <summary>Whether a caller's address passes the allowlist: an empty list admits everyone, an unknown address
    /// no one. IPv4 callers seen through an IPv6 socket match their IPv4 entries.</summary>
    public static bool AllowlistAdmits(IReadOnlyList<string> allowlist, IPAddress? remote)
    {
        if (allowlist.Count == 0)
        {
            return true;
        }

        if (remote is null)
        {
            return false;
        }

        var address = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        return allowlist.Any(entry =>
            IPNetwork.TryParse(entry, out var network)
                ? network.Contains(address)
                : IPAddress.TryParse(entry, out var single) && single.Equals(address)
        );
    }

    /// <summary>
    /// The api trigger's settings after an edit: absent values keep the current ones, and the result obeys
    /// <see cref="CheckLimits"/> and <see cref="CheckAllowlist"/>.
    /// </summary>
    public static Result<ApiTriggerSettings> ApplyApi(
        ApiTriggerSettings current,
        int? rpmLimit,
        int? maxConcurrentRuns,
        IReadOnlyList<string?>? ipAllowlist,
        bool? exposeStepTimeline,
        bool? apiCanAnswerApprovals = null,
        int? maxInputBytes = null
    )
    {
        if (
            (
                CheckLimits(rpmLimit, maxConcurrentRuns)
                ?? CheckAllowlist(ipAllowlist)
                ?? Limits.InputLimits.CheckSetting(maxInputBytes)
            ) is
            { } error
        )
        {
            return error;
        }

        return current with
        {
            RpmLimit = rpmLimit ?? current.RpmLimit,
            MaxConcurrentRuns = maxConcurrentRuns ?? current.MaxConcurrentRuns,
            IpAllowlist = ipAllowlist is null ? current.IpAllowlist : [.. ipAllowlist.Select(e => e!)],
            ExposeStepTimeline = exposeStepTimeline ?? current.ExposeStepTimeline,
            ApiCanAnswerApprovals = apiCanAnswerApprovals ?? current.ApiCanAnswerApprovals,
            MaxInputBytes = maxInputBytes ?? current.MaxInputBytes,
        };
    }

    /// <summary>A scheduled trigger's run input is a JSON object, or null for none.</summary>
    public static DomainError? CheckScheduledInput(JsonElement? input) =>
        input is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }
            ? DomainError.Invalid("input must be a JSON object")
            : null;

    /// <summary>An event trigger's input path is a dotted path (see
    /// <see cref="PayloadSelection.IsValidPath"/>).</summary>
    public static DomainError? CheckInputPath(string? inputPath) =>
        PayloadSelection.IsValidPath(inputPath)
            ? null
            : DomainError.Invalid(
                "inputPath is a dotted path like 'data.order' (letters, digits, '_' and '-' between the dots)"
            );

    /// <summary>A signing secret value given by the caller (rather than generated).</summary>
    public static DomainError? CheckSigningSecret(string secret) =>
        secret.Length is < MinSigningSecretLength or > MaxSigningSecretLength
            ? DomainError.Invalid(
                $"signingSecret must be {MinSigningSecretLength} to {MaxSigningSecretLength} characters"
            )
            : null;

    /// <summary>A scheduled trigger needs cron text; its syntax is the parser's (<c>CronSchedule</c>) to
    /// judge.</summary>
    public static DomainError? CheckCronPresent(string? cron) =>
        string.IsNullOrWhiteSpace(cron) ? DomainError.Invalid("a scheduled trigger needs a cron expression") : null;

    /// <summary>Six fields put seconds first; five are minute precision.</summary>
    public static bool CronHasSeconds(string cron) =>
        cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6;

    /// <summary>The time zone a schedule is read in when none is given.</summary>
    public static string ZoneOrUtc(string? timeZone) => string.IsNullOrWhiteSpace(timeZone) ? "UTC" : timeZone;
}
