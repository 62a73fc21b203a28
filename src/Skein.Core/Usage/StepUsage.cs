namespace Skein.Core.Usage;

/// <summary>
/// The token usage a provider reported for one model call. Null counts are ones it did not report; when it reported
/// none at all the step is flagged (<see cref="Missing"/>) instead of recording a silent 0. Cached input tokens are
/// part of <see cref="InputTokens"/> (the OpenAI convention), billed at the cached price.
/// </summary>
public sealed record StepUsage(long? InputTokens, long? OutputTokens, long? CachedInputTokens, long? TotalTokens)
{
    public static readonly StepUsage None = new(null, null, null, null);

    /// <summary>The provider reported no usage for this call.</summary>
    public bool Missing => InputTokens is null && OutputTokens is null && TotalTokens is null;

    /// <summary>The step's token count (the total when reported, else input plus output).</summary>
    public long Tokens => TotalTokens ?? ((InputTokens ?? 0) + (OutputTokens ?? 0));
}
