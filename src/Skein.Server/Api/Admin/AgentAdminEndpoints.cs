using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Engine.Runs;
using Skein.Store;

namespace Skein.Server.Api.Admin;

/// <summary>Management API for agents (the rest arrives with the management API issue).</summary>
public static class AgentAdminEndpoints
{
    public static RouteGroupBuilder MapAgentAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/agents", ListAsync).WithName("AdminListAgents").WithSummary("Agents with their deployed version");
        api.MapPost("/agents/{agentId}/runs", StartRunAsync)
            .WithName("AdminStartRun")
            .WithSummary("Test run: start a console session on the given (or the deployed) version");
        return api;
    }

    public sealed record AgentListItem(
        Guid Id,
        string Name,
        string ExecutionMode,
        Guid? DeployedVersionId,
        string? VersionLabel,
        DateTime CreatedAt
    );

    public sealed record AgentList(IReadOnlyList<AgentListItem> Items);

    public sealed record StartRunBody(JsonElement? Input, Guid? VersionId);

    public sealed record StartRunResponse(
        Guid SessionId,
        Guid RunId,
        string Status,
        long TotalTokensUsed,
        JsonElement? Output,
        string? Error,
        Guid AgentId
    );

    private static async Task<Ok<AgentList>> ListAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var items = await (
            from a in db.Agents.AsNoTracking()
            join v in db.AgentVersions.AsNoTracking().Where(v => v.State == nameof(VersionState.Deployed))
                on a.Id equals v.AgentId
                into deployed
            from v in deployed.DefaultIfEmpty()
            orderby a.Name
            select new AgentListItem(
                a.Id,
                a.Name,
                a.ExecutionMode,
                v == null ? null : v.Id,
                v == null ? null : v.Label,
                a.CreatedAt
            )
        ).ToListAsync(cancellationToken);
        return TypedResults.Ok(new AgentList(items));
    }

    private static async Task<Accepted<StartRunResponse>> StartRunAsync(
        Guid agentId,
        StartRunBody? body,
        RunStarter starter,
        CancellationToken cancellationToken
    )
    {
        var started = await starter.StartAsync(
            new StartRunRequest(agentId, body?.Input, TriggerType.Console, "operator:admin")
            {
                VersionId = body?.VersionId,
            },
            cancellationToken
        );
        var s = started.State;
        return TypedResults.Accepted(
            $"/api/sessions/{s.Id}",
            new StartRunResponse(
                s.Id,
                s.RootRunId,
                s.Status.ToString(),
                s.TotalTokensUsed,
                s.Output,
                s.Error,
                s.AgentId
            )
        );
    }
}
