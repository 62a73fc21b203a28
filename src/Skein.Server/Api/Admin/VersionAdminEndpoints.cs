using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Engine.Guards;
using Skein.Server.Api.Contracts;
using Skein.Store;
using Skein.Store.Agents;

namespace Skein.Server.Api.Admin;

/// <summary>Agent versions: list, create, edit Testing, and the live line (deploy, rollback, retract).</summary>
public static class VersionAdminEndpoints
{
    public sealed record VersionList(IReadOnlyList<AgentVersionDto> Items);

    /// <summary>A new version's settings; it copies <see cref="FromVersionId"/> (default: the newest version)
    /// first.</summary>
    public sealed record CreateVersionBody(Guid? FromVersionId, VersionDraft? Settings);

    public static RouteGroupBuilder MapVersionAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/agents/{agentId}/versions", ListAsync)
            .WithName("AdminListVersions")
            .WithSummary("An agent's versions, newest first");
        api.MapPost("/agents/{agentId}/versions", CreateAsync)
            .WithName("AdminCreateVersion")
            .WithSummary("Create a Testing version, copied from another version with the given settings applied");
        api.MapPut("/agents/{agentId}/versions/{versionId}", UpdateAsync)
            .WithName("AdminUpdateVersion")
            .WithSummary(
                "Edit a Testing version (fields left out keep their value); deployed and archived versions are read-only (409)"
            );
        api.MapPost(
                "/agents/{agentId}/versions/{versionId}/deploy",
                (Guid agentId, Guid versionId, AgentVersionCommands versions, CancellationToken ct) =>
                    MovedAsync(versions.DeployAsync(agentId, versionId, ct))
            )
            .WithName("AdminDeployVersion")
            .WithSummary("Make this version the live one; the previous live version is archived");
        api.MapPost(
                "/agents/{agentId}/versions/{versionId}/retract",
                (Guid agentId, Guid versionId, AgentVersionCommands versions, CancellationToken ct) =>
                    MovedAsync(versions.RetractAsync(agentId, versionId, ct))
            )
            .WithName("AdminRetractVersion")
            .WithSummary("Take the live version down: the agent has no deployed version until the next deploy");
        api.MapPost("/agents/{agentId}/rollback", (Guid agentId, AgentVersionCommands versions, CancellationToken ct) =>
                MovedAsync(versions.RollbackAsync(agentId, ct))
            )
            .WithName("AdminRollbackVersion")
            .WithSummary("Redeploy the version that was live before the current one");
        api.MapPut("/agents/{agentId}/versions/{versionId}/guard-rules", PutGuardRulesAsync)
            .WithName("AdminPutGuardRules")
            .WithSummary(
                "Replace a Testing version's guard rules; validated against the rule schema and the agent's execution mode"
            );
        return api;
    }

    private static async Task<Ok<VersionList>> ListAsync(
        Guid agentId,
        AgentVersionCommands versions,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            new VersionList([.. (await versions.ListAsync(agentId, cancellationToken)).Select(AgentVersionDto.From)])
        );

    private static async Task<Created<AgentVersionDto>> CreateAsync(
        Guid agentId,
        CreateVersionBody? body,
        AgentVersionCommands versions,
        CancellationToken cancellationToken
    )
    {
        var created = await versions.CreateAsync(
            agentId,
            body?.FromVersionId,
            body?.Settings ?? new VersionDraft(),
            cancellationToken
        );
        return TypedResults.Created($"/api/agents/{agentId}/versions/{created.Id}", AgentVersionDto.From(created));
    }

    private static async Task<Ok<AgentVersionDto>> UpdateAsync(
        Guid agentId,
        Guid versionId,
        VersionDraft draft,
        AgentVersionCommands versions,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(AgentVersionDto.From(await versions.UpdateAsync(agentId, versionId, draft, cancellationToken)));

    private static async Task<Ok<VersionList>> MovedAsync(Task<IReadOnlyList<Store.Rows.AgentVersionRow>> move) =>
        TypedResults.Ok(new VersionList([.. (await move).Select(AgentVersionDto.From)]));

    private static async Task<IResult> PutGuardRulesAsync(
        Guid agentId,
        Guid versionId,
        JsonElement rules,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var agent = await db.Agents.FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        var version = await db.AgentVersions.FirstOrDefaultAsync(
            v => v.Id == versionId && v.AgentId == agentId,
            cancellationToken
        );
        if (agent is null || version is null)
        {
            return Problems.From(
                DomainError.NotFound(agent is null ? "agent" : "agent version", agent is null ? agentId : versionId)
            );
        }

        if (version.State != nameof(VersionState.Testing))
        {
            return Problems.From(
                new DomainError(
                    DomainErrorCodes.Conflict,
                    $"version {version.Label} is {version.State}: only Testing versions can be edited"
                )
            );
        }

        var parsed = await GuardRuleDocument.ParseAsync(
            rules,
            Enum.Parse<ExecutionMode>(agent.ExecutionMode),
            cancellationToken
        );
        if (!parsed.IsValid)
        {
            return TypedResults.Problem(
                detail: string.Join("; ", parsed.Errors),
                statusCode: StatusCodes.Status400BadRequest,
                title: DomainErrorCodes.InvalidInput,
                type: $"urn:skein:error:{DomainErrorCodes.InvalidInput}",
                extensions: new Dictionary<string, object?> { ["errors"] = parsed.Errors }
            );
        }

        version.GuardRules = JsonSerializer.Serialize(parsed.Rules, SkeinJson.Options);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(
            new
            {
                agentId,
                versionId,
                guardRules = SkeinJson.Parse(version.GuardRules),
            }
        );
    }
}
