using Skein.Core.Sessions;
using Skein.Store.Rows;

namespace Skein.Server.Dashboard.Pages.Sessions;

/// <summary>Rerun and Fork on the session view: which steps offer "Fork from here", and where a fork diverged from
/// its source.</summary>
public sealed partial class DetailModel
{
    /// <summary>On a forked session: how many of its first root-run steps were copied from the source (the timeline
    /// marks where it diverged); null otherwise or when the source is gone.</summary>
    public int? CopiedSteps { get; private set; }

    /// <summary>The root run's first sub-agent step (its sequence in the run), if any: no step from it on offers a
    /// fork (<see cref="ForkRules"/>: a fork does not copy child runs).</summary>
    public int? FirstSubAgentStep { get; private set; }

    /// <summary>Steps of the root run after which the run loop can continue live, before any sub-agent work (the
    /// rule of <see cref="ForkRules"/>, which the server applies).</summary>
    public bool CanForkFrom(StepRow step) =>
        step.RunId == Data.Session.RootRunId
        && ForkRules.CanEndAt(step.Type)
        && (FirstSubAgentStep is not { } first || step.Sequence < first);

    /// <summary>True for the last copied step of a fork: the timeline shows the divergence after it.</summary>
    public bool DivergesAfter(StepRow step) =>
        CopiedSteps is { } copied && step.RunId == Data.Session.RootRunId && step.Sequence == copied;

    private async Task LoadForkPointAsync(CancellationToken cancellationToken)
    {
        FirstSubAgentStep = Data
            .Steps.Where(s => s.RunId == Data.Session.RootRunId && ForkRules.IsSubAgentWork(s.Type))
            .Select(s => (int?)s.Sequence)
            .Min();
        CopiedSteps = Data.Session is { ForkedFromSessionId: { } source, ForkedFromSequence: { } sequence }
            ? await sessions.RootStepsUpToAsync(source, sequence, cancellationToken)
            : null;
    }
}
