using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Application.Agents;
using Skein.Core.Sessions;
using Skein.Engine.Runs;
using Skein.Server.Auth;

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

    public sealed record AgentList(IReadOnlyList<AgentSummary> Items);

    public sealed record StartRunBody(
        JsonElement? Input,
        Guid? VersionId,
        IReadOnlyDictionary<string, string>? Tags = null
    );

    public sealed record StartRunResponse(
        Guid SessionId,
        Guid RunId,
        string Status,
        long TotalTokensUsed,
        JsonElement? Output,
        string? Error,
        Guid AgentId
    );

    private static async Task<Ok<AgentList>> ListAsync(AgentService agents, CancellationToken cancellationToken) =>
        TypedResults.Ok(new AgentList(await agents.ListAsync(cancellationToken)));

    private static async Task<Accepted<StartRunResponse>> StartRunAsync(
        Guid agentId,
        StartRunBody? body,
        RunStarter starter,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var started = await starter.StartAsync(
            new StartRunRequest(agentId, body?.Input, TriggerType.Console, SkeinUser.ActorOf(user).Value)
            {
                VersionId = body?.VersionId,
                Tags = body?.Tags,
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
