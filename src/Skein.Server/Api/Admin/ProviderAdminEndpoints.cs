using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Application.Providers;
using Skein.Engine.Models;
using Skein.Server.Auth;

namespace Skein.Server.Api.Admin;

/// <summary>Management API for LLM providers (through <see cref="ProviderService"/>): kind, base URL, key (from a
/// secret) and model list, plus a connection test.</summary>
public static class ProviderAdminEndpoints
{
    public static RouteGroupBuilder MapProviderAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/providers", ListAsync)
            .WithName("AdminListProviders")
            .WithSummary("LLM providers (key secret names, never keys)");
        api.MapPost("/providers", CreateAsync)
            .WithName("AdminCreateProvider")
            .WithSummary("Create a provider; an apiKey given here is stored as a secret and never returned");
        api.MapPut("/providers/{id:guid}", UpdateAsync).WithName("AdminUpdateProvider").WithSummary("Edit a provider");
        api.MapDelete("/providers/{id:guid}", DeleteAsync)
            .WithName("AdminDeleteProvider")
            .WithSummary("Delete a provider no agent uses");
        api.MapPost("/providers/{id:guid}/test", TestAsync)
            .WithName("AdminTestProvider")
            .WithSummary("Connection test: {ok, models, error, latencyMs}; a failing endpoint is reported, not raised");
        return api;
    }

    public sealed record ProviderList(IReadOnlyList<ProviderView> Items);

    private static async Task<Ok<ProviderList>> ListAsync(
        ProviderService providers,
        CancellationToken cancellationToken
    ) => TypedResults.Ok(new ProviderList(await providers.ListAsync(cancellationToken)));

    private static async Task<Results<Created<ProviderView>, ProblemHttpResult>> CreateAsync(
        ProviderChange? body,
        ProviderService providers,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var created = await providers.CreateAsync(SkeinUser.ActorOf(user), body ?? Empty, cancellationToken);
        return created.IsSuccess
            ? TypedResults.Created($"/api/providers/{created.Value.Id}", created.Value)
            : Problems.From(created.Error);
    }

    /// <summary>Absent fields keep their value; an empty apiKeySecretName removes the key.</summary>
    private static async Task<Results<Ok<ProviderView>, ProblemHttpResult>> UpdateAsync(
        Guid id,
        ProviderChange? body,
        ProviderService providers,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var updated = await providers.UpdateAsync(SkeinUser.ActorOf(user), id, body ?? Empty, cancellationToken);
        return updated.IsSuccess ? TypedResults.Ok(updated.Value) : Problems.From(updated.Error);
    }

    /// <summary>Refused (409, naming the agents) while agents use the provider.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id,
        ProviderService providers,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var deleted = await providers.DeleteAsync(SkeinUser.ActorOf(user), id, cancellationToken);
        return deleted.IsSuccess ? TypedResults.NoContent() : Problems.From(deleted.Error);
    }

    private static async Task<Results<Ok<ConnectionTestResult>, ProblemHttpResult>> TestAsync(
        Guid id,
        ProviderService providers,
        CancellationToken cancellationToken
    )
    {
        var tested = await providers.TestAsync(id, cancellationToken);
        return tested.IsSuccess ? TypedResults.Ok(tested.Value.Result) : Problems.From(tested.Error);
    }

    private static readonly ProviderChange Empty = new(null, null, null, null, null, null);
}
