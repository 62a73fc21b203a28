namespace Skein.Store.Rows;

/// <summary>
/// The bounded summary of a trigger's refused unauthenticated deliveries (bad signature, stale timestamp, over-long
/// delivery id): one row per trigger with a counter and the last refusal, instead of a row per attempt, so a
/// caller without the secret cannot grow the database.
/// </summary>
public sealed class TriggerRefusalRow
{
    public Guid TriggerId { get; set; }
    public Guid TenantId { get; set; }
    public long Refused { get; set; }
    public DateTime LastRefusedAt { get; set; }

    /// <summary>Why the last one was refused (at most <see cref="MaxReasonLength"/> characters).</summary>
    public string LastReason { get; set; } = "";

    public const int MaxReasonLength = 200;
}
