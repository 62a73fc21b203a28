namespace Skein.Store.Rows;

/// <summary>
/// A webhook delivery id claimed by its first arrival (primary key: trigger + delivery id); repeats
/// answer with the first session's ids instead of starting another.
/// </summary>
public sealed class TriggerDeliveryRow
{
    public Guid TriggerId { get; set; }
    public required string DeliveryId { get; set; }

    /// <summary>Null while the first arrival is still starting its session.</summary>
    public Guid? SessionId { get; set; }

    public Guid? RunId { get; set; }
    public DateTime CreatedAt { get; set; }
}
