namespace Skein.Core.Steps;

/// <summary>One committed entry of a run's timeline. <see cref="Sequence"/> is 1-based and gap-free per run.</summary>
public sealed record StepRecord(
    Guid Id,
    Guid RunId,
    int Sequence,
    StepPayload Payload,
    long TokensUsed,
    string? Error,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt
)
{
    public string Type => Payload.Type;
}
