namespace Skein.Core.Triggers;

/// <summary>Outcome strings of trigger ingress log entries.</summary>
public static class IngressOutcomes
{
    /// <summary>A session was started.</summary>
    public const string Started = "started";

    /// <summary>A repeated delivery id: answered with the first session, nothing started.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Missing or wrong signature: nothing started (401).</summary>
    public const string RejectedSignature = "rejected_signature";

    /// <summary>The payload was unusable (not JSON, input path missing, input invalid): nothing started.</summary>
    public const string Rejected = "rejected";

    /// <summary>The start failed (e.g. no deployed version, store error); the entry can be retried.</summary>
    public const string Failed = "failed";
}
