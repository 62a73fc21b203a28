using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Core.Runs;

/// <summary>How long a run keeps trying a failing provider, and how far apart (SPEC section 12).</summary>
/// <param name="Budget">From the first failure of a streak; past it the run fails with the provider's last
/// error.</param>
/// <param name="BaseDelay">The first wait without a <c>Retry-After</c>; each further one doubles it.</param>
/// <param name="MaxDelay">The longest single wait.</param>
public sealed record ProviderBackoffPolicy(TimeSpan Budget, TimeSpan BaseDelay, TimeSpan MaxDelay);

/// <summary>
/// Decisions on a provider that keeps failing with a transient error (429, 5xx) once the in-process retries are
/// spent: the run parks in <c>WaitingForTimer</c> with a <c>provider_backoff</c> step and the durable timer
/// resumes it, until the retry budget is spent.
/// </summary>
public static class ProviderBackoff
{
    /// <summary>The status change's reason while a run waits out a provider fault.</summary>
    public const string Reason = StepType.ProviderBackoff;

    /// <summary>Parks the run until its next attempt, or fails it when the streak's budget is spent.</summary>
    /// <param name="error">The provider's error, as the step's reason and, past the budget, the run's error.</param>
    /// <param name="retryAfter">The provider's <c>Retry-After</c>, when it sent one.</param>
    public static void Park(
        SessionChange change,
        Guid runId,
        string error,
        TimeSpan? retryAfter,
        ProviderBackoffPolicy policy,
        DateTimeOffset at,
        string actor
    )
    {
        if (change.Current.Runs.GetValueOrDefault(runId) is not { } run)
        {
            change.Reject(DomainError.NotFound("run", runId));
            return;
        }

        var streak = Streak(run);
        var since = streak?.FailingSince ?? at;
        var end = since + policy.Budget;
        if (at >= end)
        {
            SessionDecider.FailRun(change, runId, $"model provider error: {error}", at, actor);
            return;
        }

        var attempt = (streak?.Attempt ?? 0) + 1;
        var delay = retryAfter is { } asked && asked > TimeSpan.Zero ? asked : Exponential(policy, attempt);
        var next = at + delay < end ? at + delay : end;
        SessionDecider.AppendStep(
            change,
            runId,
            new StepDraft(new ProviderBackoffStep(error, next, since, attempt) { Iteration = run.Iteration }),
            at,
            actor
        );
        SessionDecider.MoveRun(
            change,
            runId,
            new RunTransition(RunStatus.WaitingForTimer) { WakeAt = next, Reason = Reason },
            at,
            actor
        );
    }

    /// <summary>True when the run waits out a provider fault (its timer then resumes it with <see
    /// cref="Resume"/>).</summary>
    public static bool IsBackingOff(RunState run) =>
        run.Status == RunStatus.WaitingForTimer && run.Steps.LastOrDefault()?.Payload is ProviderBackoffStep;

    /// <summary>The back-off is due: the run is Running again and asks the model again (see <see
    /// cref="RunPlanner"/>).</summary>
    public static void Resume(SessionChange change, Guid runId, DateTimeOffset at, string actor)
    {
        if (
            change.Current.Runs.GetValueOrDefault(runId) is not { } run
            || !IsBackingOff(run)
            || run.WakeAt is { } wake && wake > at
        )
        {
            change.Reject(new DomainError(DomainErrorCodes.Conflict, "the run has no provider back-off due"));
            return;
        }

        SessionDecider.MoveRun(
            change,
            runId,
            new RunTransition(RunStatus.Running) { Reason = "provider back-off ended" },
            at,
            actor
        );
    }

    /// <summary>The latest back-off of the run's current model request, when its last attempt failed too.</summary>
    private static ProviderBackoffStep? Streak(RunState run)
    {
        for (var i = run.Steps.Count - 1; i >= 0; i--)
        {
            switch (run.Steps[i].Payload)
            {
                case ProviderBackoffStep backoff:
                    return backoff;
                case UserMessageStep { Queued: true }:
                    continue;
                default:
                    return null;
            }
        }

        return null;
    }

    private static TimeSpan Exponential(ProviderBackoffPolicy policy, int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ticks = Math.Min(policy.BaseDelay.Ticks * factor, policy.MaxDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
