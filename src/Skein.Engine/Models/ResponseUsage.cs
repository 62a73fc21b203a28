using Microsoft.Extensions.AI;
using Skein.Core.Usage;

namespace Skein.Engine.Models;

/// <summary>What a model response reports of its token usage, as a step records it (SPEC section 12).</summary>
public static class ResponseUsage
{
    /// <summary>The usage of one response; <see cref="StepUsage.None"/> when the provider reported none.</summary>
    public static StepUsage Read(UsageDetails? usage) =>
        usage is null
            ? StepUsage.None
            : new StepUsage(
                usage.InputTokenCount,
                usage.OutputTokenCount,
                usage.CachedInputTokenCount,
                usage.TotalTokenCount
            );
}
