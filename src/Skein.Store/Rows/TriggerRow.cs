namespace Skein.Store.Rows;

/// <summary>A trigger (<c>api</c>, <c>scheduled</c> or <c>event</c>); type-specific settings are JSON.</summary>
public sealed class TriggerRow
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public required string Name { get; set; }
    public required string Type { get; set; }
    public bool Active { get; set; } = true;
    public DateTime? LastFiredAt { get; set; }

    /// <summary>
    /// Scheduled triggers: the slot due next. Nodes claim a slot by moving this forward with a conditional
    /// update, so each slot fires once however many nodes poll.
    /// </summary>
    public DateTime? NextFireAt { get; set; }
    public string Settings { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }

    /// <summary>A copy of every field (all are values or immutable strings), for a cached row handed out.</summary>
    public TriggerRow Copy() => (TriggerRow)MemberwiseClone();
}
