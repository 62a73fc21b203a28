using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Application.Versions;

/// <summary>Multi-agent wiring (SPEC section 9): every save of a version is checked here with
/// <see cref="SubAgentRules"/> against the agents it lists, in the save's transaction.</summary>
public sealed partial class VersionService
{
    private static void ApplyWiring(AgentVersionRow version, VersionDraft draft)
    {
        version.CanExecuteSubAgents = draft.CanExecuteSubAgents ?? version.CanExecuteSubAgents;
        version.AllowedSubAgents = draft.AllowedSubAgents is { } allowed
            ? JsonSerializer.Serialize(allowed, SkeinJson.Options)
            : version.AllowedSubAgents;
        version.SubAgentExecutionModel = draft.SubAgentExecutionModel?.ToString() ?? version.SubAgentExecutionModel;

        // Switching the feature off empties the allowlist unless the same draft names one (which is refused).
        if (draft.CanExecuteSubAgents == false && draft.AllowedSubAgents is null)
        {
            version.AllowedSubAgents = "[]";
        }
    }

    /// <summary>The wiring and description rules for <paramref name="version"/> as it is about to be saved.</summary>
    private static async Task<DomainError?> CheckWiringAsync(
        SkeinDbContext db,
        AgentRow agent,
        AgentVersionRow version,
        CancellationToken cancellationToken
    )
    {
        var allowed = AllowedOf(version);
        var listed = await db
            .Agents.AsNoTracking()
            .Where(a => a.TenantId == agent.TenantId && allowed.Contains(a.Id))
            .Select(a => new
            {
                a.Id,
                a.Name,
                a.ExecutionMode,
            })
            .ToListAsync(cancellationToken);
        var problems = SubAgentRules
            .CheckWiring(
                agent.Id,
                version.CanExecuteSubAgents,
                allowed,
                listed.ToDictionary(a => a.Id, a => (a.Name, Enum.Parse<ExecutionMode>(a.ExecutionMode)))
            )
            .ToList();
        if (
            SubAgentRules.CheckDescription(Enum.Parse<ExecutionMode>(agent.ExecutionMode), version.Description) is { } d
        )
        {
            problems.Add(d);
        }

        return problems.Count == 0 ? null : DomainError.Invalid(string.Join("; ", problems)) with { Errors = problems };
    }

    /// <summary>A SubAgent's live version is what parents see as a tool, so it needs its description.</summary>
    private static async Task<DomainError?> CheckDeployableAsync(
        SkeinDbContext db,
        Guid agentId,
        Guid versionId,
        CancellationToken cancellationToken
    )
    {
        var found = await (
            from v in db.AgentVersions.AsNoTracking()
            join a in db.Agents.AsNoTracking() on v.AgentId equals a.Id
            where v.Id == versionId && v.AgentId == agentId
            select new { a.ExecutionMode, v.Description }
        ).FirstOrDefaultAsync(cancellationToken);
        return
            found is not null
            && SubAgentRules.CheckDescription(Enum.Parse<ExecutionMode>(found.ExecutionMode), found.Description)
                is { } problem
            ? DomainError.Invalid(problem)
            : null;
    }

    /// <summary>The ids of the agents named in a manifest's <c>allowedSubAgents</c> (by agent name, after the
    /// manifest's keys were mapped), in the caller's transaction.</summary>
    private static async Task<Result<string>> AllowedIdsAsync(
        SkeinDbContext db,
        Guid tenantId,
        string namesJson,
        CancellationToken cancellationToken
    )
    {
        var names = JsonSerializer.Deserialize<List<string>>(namesJson, SkeinJson.Options) ?? [];
        if (names.Count == 0)
        {
            return "[]";
        }

        var found = await db
            .Agents.AsNoTracking()
            .Where(a => a.TenantId == tenantId && names.Contains(a.Name))
            .Select(a => new { a.Id, a.Name })
            .ToListAsync(cancellationToken);
        var missing = names.Where(n => found.All(a => a.Name != n)).ToList();
        if (missing.Count > 0)
        {
            return DomainError.Invalid($"allowedSubAgents: no agent named {string.Join(", ", missing)}");
        }

        return JsonSerializer.Serialize(names.Select(n => found.First(a => a.Name == n).Id), SkeinJson.Options);
    }

    /// <summary>The labels (<c>agent vN</c>) of the unarchived versions that list <paramref name="agentId"/> as
    /// a sub-agent: while any does, the agent stays a SubAgent and is not deleted.</summary>
    public static async Task<IReadOnlyList<string>> ListedByAsync(
        SkeinDbContext db,
        Guid agentId,
        CancellationToken cancellationToken
    )
    {
        var id = agentId.ToString();
        return await (
            from v in db.AgentVersions.AsNoTracking()
            join a in db.Agents.AsNoTracking() on v.AgentId equals a.Id
            where v.State != nameof(VersionState.Archived) && v.AllowedSubAgents.Contains(id)
            orderby a.Name, v.Label
            select a.Name + " " + v.Label
        ).ToListAsync(cancellationToken);
    }

    private static List<Guid> AllowedOf(AgentVersionRow version) =>
        JsonSerializer.Deserialize<List<Guid>>(version.AllowedSubAgents, SkeinJson.Options) ?? [];
}
