using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Application.Versions;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Server.Api.Contracts;
using Skein.Server.Auth;

namespace Skein.Server.Api.Admin;

/// <summary>Agent versions: list, create, edit Testing, and the live line (deploy, rollback, retract).</summary>
public static class VersionAdminEndpoints
{
    public sealed record VersionList(IReadOnlyList<AgentVersionDto> Items);

    /// <summary>A new version's settings; it copies <see cref="FromVersionId"/> (default: the newest version)
    /// first.</summary>
    public sealed record CreateVersionBody(Guid? FromVersionId, VersionDraft? Settings);

    /// <summary>A version's guard rules after a save.</summary>
    public sealed record GuardRulesResponse(Guid AgentId, Guid VersionId, JsonElement GuardRules);

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
                "Edit a Testing version (fields left out keep their value); deployed and archived versions are "
                    + "read-only (409)"
            );
        api.MapPost(
                "/agents/{agentId}/versions/{versionId}/deploy",
                (Guid agentId, Guid versionId, VersionService versions, ClaimsPrincipal user, CancellationToken ct) =>
                    MovedAsync(versions.DeployAsync(SkeinUser.ActorOf(user), agentId, versionId, ct))
            )
            .WithName("AdminDeployVersion")
            .WithSummary("Make this version the live one; the previous live version is archived");
        api.MapPost(
                "/agents/{agentId}/versions/{versionId}/retract",
                (Guid agentId, Guid versionId, VersionService versions, ClaimsPrincipal user, CancellationToken ct) =>
                    MovedAsync(versions.RetractAsync(SkeinUser.ActorOf(user), agentId, versionId, ct))
            )
            .WithName("AdminRetractVersion")
            .WithSummary("Take the live version down: the agent has no deployed version until the next deploy");
        api.MapPost(
                "/agents/{agentId}/rollback",
                (Guid agentId, VersionService versions, ClaimsPrincipal user, CancellationToken ct) =>
                    MovedAsync(versions.RollbackAsync(SkeinUser.ActorOf(user), agentId, ct))
            )
            .WithName("AdminRollbackVersion")
            .WithSummary("Redeploy the version that was live before the current one");
        api.MapPut("/agents/{agentId}/versions/{versionId}/guard-rules", PutGuardRulesAsync)
            .WithName("AdminPutGuardRules")
            .WithSummary(
                "Replace a Testing version's guard rules; validated against the rule schema and the agent's execution "
                    + "mode"
            );
        return api;
    }

    private static async Task<Results<Ok<VersionList>, ProblemHttpResult>> ListAsync(
        Guid agentId,
        VersionService versions,
        CancellationToken cancellationToken
    ) => Listed(await versions.ListAsync(agentId, cancellationToken));

    private static async Task<Results<Created<AgentVersionDto>, ProblemHttpResult>> CreateAsync(
        Guid agentId,
        CreateVersionBody? body,
        VersionService versions,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var created = await versions.CreateAsync(
            SkeinUser.ActorOf(user),
            agentId,
            body?.FromVersionId,
            body?.Settings ?? new VersionDraft(),
            cancellationToken
        );
        return created.IsSuccess
            ? TypedResults.Created(
                $"/api/agents/{agentId}/versions/{created.Value.Id}",
                AgentVersionDto.From(created.Value)
            )
            : Problems.From(created.Error);
    }

    private static async Task<Results<Ok<AgentVersionDto>, ProblemHttpResult>> UpdateAsync(
        Guid agentId,
        Guid versionId,
        VersionDraft draft,
        VersionService versions,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var updated = await versions.UpdateAsync(SkeinUser.ActorOf(user), agentId, versionId, draft, cancellationToken);
        return updated.IsSuccess ? TypedResults.Ok(AgentVersionDto.From(updated.Value)) : Problems.From(updated.Error);
    }

    private static async Task<Results<Ok<VersionList>, ProblemHttpResult>> MovedAsync(
        Task<Result<IReadOnlyList<VersionView>>> move
    ) => Listed(await move);

    private static Results<Ok<VersionList>, ProblemHttpResult> Listed(Result<IReadOnlyList<VersionView>> versions) =>
        versions.IsSuccess
            ? TypedResults.Ok(new VersionList([.. versions.Value.Select(AgentVersionDto.From)]))
            : Problems.From(versions.Error);

    private static async Task<Results<Ok<GuardRulesResponse>, ProblemHttpResult>> PutGuardRulesAsync(
        Guid agentId,
        Guid versionId,
        JsonElement rules,
        VersionService versions,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var saved = await versions.PutGuardRulesAsync(
            SkeinUser.ActorOf(user),
            agentId,
            versionId,
            rules,
            cancellationToken
        );
        if (saved.IsSuccess)
        {
            return TypedResults.Ok(new GuardRulesResponse(agentId, versionId, SkeinJson.Parse(saved.Value.GuardRules)));
        }

        var problem = Problems.From(saved.Error);
        if (saved.Error.Errors is { } errors)
        {
            problem.ProblemDetails.Extensions["errors"] = errors;
        }

        return problem;
    }
}
