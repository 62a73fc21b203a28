using System.Text.Json;

namespace Skein.Core.Triggers;

/// <summary>Settings of a <c>scheduled</c> trigger: a cron expression read in an IANA time zone, and the run
/// input.</summary>
public sealed record ScheduledTriggerSettings
{
    /// <summary>Five fields (minute precision) or six (with seconds first).</summary>
    public string Cron { get; init; } = "";

    /// <summary>IANA zone id such as <c>Europe/Berlin</c>; slots follow its daylight-saving changes.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>The input of every fired run (a JSON object, or null for none).</summary>
    public JsonElement? Input { get; init; }
}

/// <summary>Settings of an <c>event</c> trigger: the secret that signs deliveries and the part of the payload that
/// becomes the input.</summary>
public sealed record EventTriggerSettings
{
    /// <summary>Name of the secret (in the workspace's secret store) whose value keys the HMAC-SHA256
    /// signature.</summary>
    public string SigningSecretName { get; init; } = "";

    /// <summary>Dotted path (e.g. <c>data.order</c>) selecting the run input inside the payload; empty means the whole
    /// payload.</summary>
    public string? InputPath { get; init; }

    /// <summary>The largest delivery body accepted, in bytes; null uses the workspace's (see <see
    /// cref="Limits.InputLimits"/>).</summary>
    public int? MaxInputBytes { get; init; }
}
