namespace Skein.Core.Agents;

/// <summary>Where a version stands in its agent's live line: its state and when it was last deployed.</summary>
public sealed record VersionLine(Guid Id, string Label, VersionState State, DateTime CreatedAt, DateTime? DeployedAt);

/// <summary>One version moving to a new state; <see cref="DeployedAt"/> is set when it goes live.</summary>
public sealed record VersionStateChange(Guid Id, VersionState To, DateTime? DeployedAt);

/// <summary>
/// The live line of an agent (SPEC section 1): at most one Deployed version; deploy, rollback and retract
/// move it. Deployed versions are read-only, so only Testing versions can be edited. Pure: callers
/// apply the returned changes in one transaction.
/// </summary>
public static class VersionLifecycle
{
    /// <summary>Deploy a Testing or Archived version; the current live version (if any) is archived.</summary>
    public static IReadOnlyList<VersionStateChange> Deploy(
        IReadOnlyList<VersionLine> versions,
        Guid versionId,
        DateTime now
    )
    {
        var target = Find(versions, versionId);
        if (target.State == VersionState.Deployed)
        {
            throw new DomainException(
                new DomainError(DomainErrorCodes.Conflict, $"version {target.Label} is already deployed")
            );
        }

        return [.. ArchiveLive(versions), new VersionStateChange(target.Id, VersionState.Deployed, now)];
    }

    /// <summary>The version a rollback would put live again (the last one deployed before the live one), or null
    /// when there is nothing to roll back to: no live version, or none deployed before it.</summary>
    public static VersionLine? RollbackTarget(IReadOnlyList<VersionLine> versions) =>
        versions.FirstOrDefault(v => v.State == VersionState.Deployed) is not { } live
            ? null
            : versions
                .Where(v => v.State == VersionState.Archived && v.DeployedAt is not null && v.Id != live.Id)
                .MaxBy(v => v.DeployedAt);

    /// <summary>Redeploy the version that was live before the current one; the current one is archived.</summary>
    public static IReadOnlyList<VersionStateChange> Rollback(IReadOnlyList<VersionLine> versions, DateTime now)
    {
        var live = versions.FirstOrDefault(v => v.State == VersionState.Deployed)
            ?? throw new DomainException(
                new DomainError(DomainErrorCodes.Conflict, "no version is deployed: nothing to roll back")
            );
        var previous = RollbackTarget(versions)
            ?? throw new DomainException(
                new DomainError(
                    DomainErrorCodes.Conflict,
                    $"no earlier deployed version to roll back to from {live.Label}"
                )
            );
        return
        [
            new VersionStateChange(live.Id, VersionState.Archived, live.DeployedAt),
            new VersionStateChange(previous.Id, VersionState.Deployed, now),
        ];
    }

    /// <summary>Take the live version down: it is archived and the agent has no live version until the next
    /// deploy.</summary>
    public static IReadOnlyList<VersionStateChange> Retract(IReadOnlyList<VersionLine> versions, Guid versionId)
    {
        var target = Find(versions, versionId);
        if (target.State != VersionState.Deployed)
        {
            throw new DomainException(
                new DomainError(
                    DomainErrorCodes.Conflict,
                    $"version {target.Label} is {target.State}: only the deployed version can be retracted"
                )
            );
        }

        return [new VersionStateChange(target.Id, VersionState.Archived, target.DeployedAt)];
    }

    /// <summary>Throws unless the version may be edited (Testing only: deployed and archived versions are
    /// history).</summary>
    public static void EnsureEditable(VersionLine version)
    {
        if (version.State != VersionState.Testing)
        {
            throw new DomainException(
                new DomainError(
                    DomainErrorCodes.Conflict,
                    $"version {version.Label} is {version.State}: only Testing versions can be edited"
                )
            );
        }
    }

    /// <summary>The label a new version gets: one past the highest <c>vN</c> label, so labels never repeat.</summary>
    public static string NextLabel(IReadOnlyList<VersionLine> versions)
    {
        var highest = versions
            .Select(v => v.Label.Length > 1 && v.Label[0] == 'v' && int.TryParse(v.Label.AsSpan(1), out var n) ? n : 0)
            .DefaultIfEmpty(0)
            .Max();
        return $"v{highest + 1}";
    }

    private static IEnumerable<VersionStateChange> ArchiveLive(IReadOnlyList<VersionLine> versions) =>
        versions
            .Where(v => v.State == VersionState.Deployed)
            .Select(v => new VersionStateChange(v.Id, VersionState.Archived, v.DeployedAt));

    private static VersionLine Find(IReadOnlyList<VersionLine> versions, Guid versionId) =>
        versions.FirstOrDefault(v => v.Id == versionId)
        ?? throw new DomainException(DomainError.NotFound("agent version", versionId));
}
