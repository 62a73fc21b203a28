using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Application.Agents;
using Skein.Server.Auth;

namespace Skein.Server.Api.Admin;

/// <summary>
/// Agents themselves: create, read one, delete (through <see cref="AgentService"/>). An agent cannot be deleted while
/// a version is deployed (SPEC section 1); deleting removes its versions, triggers and key scopes, while its sessions
/// stay as history.
/// </summary>
public static class AgentLifecycleEndpoints
{
    /// <summary><c>llmProviderId</c> defaults to the workspace's built-in <c>scripted</c> provider.</summary>
    public sealed record CreateAgentBody(string? Name, string? ExecutionMode, Guid? LlmProviderId);

    public static RouteGroupBuilder MapAgentLifecycleAdmin(this RouteGroupBuilder api)
    {
        api.MapPost("/agents", CreateAsync)
            .WithName("AdminCreateAgent")
            .WithSummary("Create an agent (no versions yet); names are unique in the workspace");
        api.MapGet("/agents/{agentId}", GetAsync)
            .WithName("AdminGetAgent")
            .WithSummary("One agent with its deployed version");
        api.MapDelete("/agents/{agentId}", DeleteAsync)
            .WithName("AdminDeleteAgent")
            .WithSummary(
                "Delete an agent with its versions and triggers; 409 while a version is deployed. Its sessions are kept"
            );
        return api;
    }

    private static async Task<Results<Created<AgentSummary>, ProblemHttpResult>> CreateAsync(
        CreateAgentBody? body,
        AgentService agents,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var created = await agents.CreateAsync(
            SkeinUser.ActorOf(user),
            new NewAgent(body?.Name, body?.ExecutionMode, body?.LlmProviderId),
            cancellationToken
        );
        return created.IsSuccess
            ? TypedResults.Created($"/api/agents/{created.Value.Id}", created.Value)
            : Problems.From(created.Error);
    }

    private static async Task<Results<Ok<AgentSummary>, ProblemHttpResult>> GetAsync(
        Guid agentId,
        AgentService agents,
        CancellationToken cancellationToken
    )
    {
        var agent = await agents.GetAsync(agentId, cancellationToken);
        return agent.IsSuccess ? TypedResults.Ok(agent.Value) : Problems.From(agent.Error);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid agentId,
        AgentService agents,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var deleted = await agents.DeleteAsync(SkeinUser.ActorOf(user), agentId, cancellationToken);
        return deleted.IsSuccess ? TypedResults.NoContent() : Problems.From(deleted.Error);
    }
}
