using Skein.Core.Steps;
using Skein.Store.Rows;

namespace Skein.Server.Dashboard.Pages.Sessions;

/// <summary>Rerun and Fork on the session view: which steps offer "Fork from here", and where a fork diverged from
/// its source.</summary>
public sealed partial class DetailModel
{
    private static readonly HashSet<string> ForkableTypes =
    [
        StepType.LlmRequestPrepared,
        StepType.Reasoning,
        StepType.ToolResult,
        StepType.UserMessage,
    ];

    /// <summary>On a forked session: how many of its first root-run steps were copied from the source (the timeline
    /// marks where it diverged); null otherwise or when the source is gone.</summary>
    public int? CopiedSteps { get; private set; }

    /// <summary>Steps of the root run after which the run loop can continue live (<c>ForkRules</c> decides on the
    /// server).</summary>
    public bool CanForkFrom(StepRow step) => step.RunId == Data.Session.RootRunId && ForkableTypes.Contains(step.Type);

    /// <summary>True for the last copied step of a fork: the timeline shows the divergence after it.</summary>
    public bool DivergesAfter(StepRow step) =>
        CopiedSteps is { } copied && step.RunId == Data.Session.RootRunId && step.Sequence == copied;

    private async Task LoadForkPointAsync(CancellationToken cancellationToken) =>
        CopiedSteps = Data.Session is { ForkedFromSessionId: { } source, ForkedFromSequence: { } sequence }
            ? await sessions.RootStepsUpToAsync(source, sequence, cancellationToken)
            : null;
}
