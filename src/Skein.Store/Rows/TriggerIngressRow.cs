namespace Skein.Store.Rows;

/// <summary>
/// One start attempt through an event (or api) trigger: when, what came of it, and the payload with
/// secret-looking fields redacted. A failed start keeps its payload so an operator can retry it.
/// </summary>
public sealed class TriggerIngressRow
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid TriggerId { get; set; }
    public DateTime ReceivedAt { get; set; }

    /// <summary>One of <see cref="Core.Triggers.IngressOutcomes"/>.</summary>
    public required string Outcome { get; set; }

    public string? DeliveryId { get; set; }
    public string? Error { get; set; }
    public Guid? SessionId { get; set; }
    public Guid? RunId { get; set; }

    /// <summary>The payload as logged: credential-looking fields masked, length capped.</summary>
    public string? RedactedPayload { get; set; }

    /// <summary>The failed entry this attempt retried (an operator's retry), so the log links the two.</summary>
    public Guid? RetryOf { get; set; }

    /// <summary>The run input that was (or would have been) started, kept only for failed starts so they can be
    /// retried.</summary>
    public string? RetryInput { get; set; }
}
