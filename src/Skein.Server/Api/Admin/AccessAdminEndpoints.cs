using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Application.ApiKeys;
using Skein.Application.Triggers;
using Skein.Server.Auth;
using Skein.Store.ApiKeys;

namespace Skein.Server.Api.Admin;

/// <summary>Management API for API access: keys (secret shown once) and each agent's api trigger, over
/// <see cref="ApiKeyService"/> and <see cref="TriggerService"/>.</summary>
public static class AccessAdminEndpoints
{
    public static RouteGroupBuilder MapAccessAdmin(this RouteGroupBuilder api)
    {
        api.MapPost("/keys", CreateKeyAsync)
            .WithName("AdminCreateApiKey")
            .WithSummary("Create an API key; the secret is in this response only");
        api.MapGet("/keys", ListKeysAsync).WithName("AdminListApiKeys").WithSummary("API keys without their secrets");
        api.MapDelete("/keys/{keyId}", RevokeKeyAsync).WithName("AdminRevokeApiKey").WithSummary("Revoke an API key");
        api.MapPut("/agents/{agentId}/triggers/api", PutApiTriggerAsync)
            .WithName("AdminPutApiTrigger")
            .WithSummary("Create or update the agent's api trigger (one per agent; not for SubAgent agents)");
        api.MapGet("/agents/{agentId}/triggers", ListTriggersAsync)
            .WithName("AdminListTriggers")
            .WithSummary("The agent's triggers (never secrets)");
        return api;
    }

    public sealed record ScopeBody(Guid AgentId, Guid TriggerId);

    public sealed record CreateKeyBody(string? Name, IReadOnlyList<ScopeBody>? Scopes, bool AllowFileUploads);

    public sealed record CreatedKey(Guid Id, string Secret, string Prefix);

    public sealed record KeyItem(
        Guid Id,
        string Name,
        string Prefix,
        bool AllowFileUploads,
        DateTime CreatedAt,
        DateTime? RevokedAt,
        IReadOnlyList<ScopeBody> Scopes
    );

    public sealed record KeyList(IReadOnlyList<KeyItem> Items);

    public sealed record TriggerList(IReadOnlyList<TriggerView> Items);

    private static async Task<Results<Created<CreatedKey>, ProblemHttpResult>> CreateKeyAsync(
        CreateKeyBody? body,
        ApiKeyService keys,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var created = await keys.CreateAsync(
            body?.Name,
            body?.Scopes?.Select(s => s is null ? null : new ApiKeyStore.Scope(s.AgentId, s.TriggerId)).ToList(),
            body?.AllowFileUploads ?? false,
            SkeinUser.ActorOf(user),
            cancellationToken
        );
        return created.IsSuccess
            ? TypedResults.Created(
                $"/api/keys/{created.Value.Id}",
                new CreatedKey(created.Value.Id, created.Value.Secret, created.Value.Prefix)
            )
            : Problems.From(created.Error);
    }

    private static async Task<Ok<KeyList>> ListKeysAsync(ApiKeyService keys, CancellationToken cancellationToken)
    {
        var items = await keys.ListAsync(cancellationToken);
        return TypedResults.Ok(
            new KeyList([
                .. items.Select(k => new KeyItem(
                    k.Id,
                    k.Name,
                    k.Prefix,
                    k.AllowFileUploads,
                    k.CreatedAt,
                    k.RevokedAt,
                    [.. k.Scopes.Select(s => new ScopeBody(s.AgentId, s.TriggerId))]
                )),
            ])
        );
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKeyAsync(
        Guid keyId,
        ApiKeyService keys,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var revoked = await keys.RevokeAsync(keyId, SkeinUser.ActorOf(user), cancellationToken);
        return revoked.IsSuccess ? TypedResults.NoContent() : Problems.From(revoked.Error);
    }

    private static async Task<Results<Ok<TriggerView>, ProblemHttpResult>> PutApiTriggerAsync(
        Guid agentId,
        ApiTriggerBody? body,
        TriggerService triggers,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    ) =>
        TriggerAdminEndpoints.OkOrProblem(
            await triggers.PutApiAsync(
                agentId,
                body ?? new ApiTriggerBody(null, null, null, null, null, null),
                SkeinUser.ActorOf(user),
                cancellationToken
            )
        );

    private static async Task<Results<Ok<TriggerList>, ProblemHttpResult>> ListTriggersAsync(
        Guid agentId,
        TriggerService triggers,
        CancellationToken cancellationToken
    )
    {
        var listed = await triggers.ListAsync(agentId, cancellationToken);
        return listed.IsSuccess ? TypedResults.Ok(new TriggerList(listed.Value)) : Problems.From(listed.Error);
    }
}
