using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Engine.Guards;
using Skein.Store;

namespace Skein.Server.Api.Admin;

/// <summary>Version settings that need domain validation when saved (guard rules).</summary>
public static class VersionAdminEndpoints
{
    public static RouteGroupBuilder MapVersionAdmin(this RouteGroupBuilder api)
    {
        api.MapPut("/agents/{agentId}/versions/{versionId}/guard-rules", PutGuardRulesAsync).WithName("AdminPutGuardRules")
            .WithSummary("Replace a Testing version's guard rules; validated against the rule schema and the agent's execution mode");
        return api;
    }

    private static async Task<IResult> PutGuardRulesAsync(Guid agentId, Guid versionId, JsonElement rules, IDbContextFactory<SkeinDbContext> contexts, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        var version = await db.AgentVersions.FirstOrDefaultAsync(v => v.Id == versionId && v.AgentId == agentId, cancellationToken);
        if (agent is null || version is null)
        {
            return ProblemMapping.Problem(DomainError.NotFound(agent is null ? "agent" : "agent version", agent is null ? agentId : versionId));
        }

        if (version.State != nameof(VersionState.Testing))
        {
            return ProblemMapping.Problem(new DomainError(DomainErrorCodes.Conflict, $"version {version.Label} is {version.State}: only Testing versions can be edited"));
        }

        var parsed = await GuardRuleDocument.ParseAsync(rules, Enum.Parse<ExecutionMode>(agent.ExecutionMode), cancellationToken);
        if (!parsed.IsValid)
        {
            return TypedResults.Problem(
                detail: string.Join("; ", parsed.Errors), statusCode: StatusCodes.Status400BadRequest, title: DomainErrorCodes.InvalidInput,
                type: $"urn:skein:error:{DomainErrorCodes.InvalidInput}", extensions: new Dictionary<string, object?> { ["errors"] = parsed.Errors });
        }

        version.GuardRules = JsonSerializer.Serialize(parsed.Rules, SkeinJson.Options);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new { agentId, versionId, guardRules = SkeinJson.Parse(version.GuardRules) });
    }
}
