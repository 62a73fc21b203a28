namespace Skein.Store.Rows;

/// <summary>Projection of one timeline step; <see cref="Content"/> is the full step content JSON.</summary>
public sealed class StepRow
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public Guid SessionId { get; set; }
    public Guid TenantId { get; set; }
    public int Sequence { get; set; }

    /// <summary>The session event sequence that recorded the step: a global order within the session.</summary>
    public long EventSequence { get; set; }

    public required string Type { get; set; }
    public required string Content { get; set; }
    public long TokensUsed { get; set; }
    public string? Error { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime FinishedAt { get; set; }
}
