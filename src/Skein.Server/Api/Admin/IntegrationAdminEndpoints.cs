using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Application.Integrations;
using Skein.Core;
using Skein.Server.Auth;

namespace Skein.Server.Api.Admin;

/// <summary>Management API for HTTP integrations (base URL, auth from a secret) and their operations, through
/// <see cref="IntegrationService"/>.</summary>
public static class IntegrationAdminEndpoints
{
    public static RouteGroupBuilder MapIntegrationAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/integrations", ListAsync)
            .WithName("AdminListIntegrations")
            .WithSummary("Integrations with their operations (auth secret names, never values)");
        api.MapPost("/integrations", CreateAsync)
            .WithName("AdminCreateIntegration")
            .WithSummary("Create an HTTP integration");
        api.MapGet("/integrations/{id:guid}", GetAsync)
            .WithName("AdminGetIntegration")
            .WithSummary("One integration with its operations");
        api.MapPut("/integrations/{id:guid}", UpdateAsync)
            .WithName("AdminUpdateIntegration")
            .WithSummary("Edit an integration's name, base URL or auth");
        api.MapDelete("/integrations/{id:guid}", DeleteAsync)
            .WithName("AdminDeleteIntegration")
            .WithSummary("Delete an integration and its operations");
        api.MapPost("/integrations/{id:guid}/operations", CreateOperationAsync)
            .WithName("AdminCreateOperation")
            .WithSummary("Add an operation (a tool agents can allowlist by its name)");
        api.MapPut("/integrations/{id:guid}/operations/{operationId:guid}", UpdateOperationAsync)
            .WithName("AdminUpdateOperation")
            .WithSummary("Edit an operation");
        api.MapDelete("/integrations/{id:guid}/operations/{operationId:guid}", DeleteOperationAsync)
            .WithName("AdminDeleteOperation")
            .WithSummary("Delete an operation");
        return api;
    }

    public sealed record IntegrationList(IReadOnlyList<IntegrationView> Items);

    private static readonly IntegrationBody NoIntegrationChange = new(null, null, null, null, null);
    private static readonly OperationBody NoOperationChange = new(null, null, null, null, null, null, null, null, null);

    private static async Task<Ok<IntegrationList>> ListAsync(
        IntegrationService integrations,
        CancellationToken cancellationToken
    ) => TypedResults.Ok(new IntegrationList(await integrations.ListAsync(cancellationToken)));

    private static async Task<Results<Ok<IntegrationView>, ProblemHttpResult>> GetAsync(
        Guid id,
        IntegrationService integrations,
        CancellationToken cancellationToken
    ) => Answer(await integrations.GetAsync(id, cancellationToken));

    private static async Task<Results<Created<IntegrationView>, ProblemHttpResult>> CreateAsync(
        IntegrationBody? body,
        IntegrationService integrations,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var created = await integrations.CreateAsync(
            SkeinUser.ActorOf(user),
            body ?? NoIntegrationChange,
            cancellationToken
        );
        return created.IsSuccess
            ? TypedResults.Created($"/api/integrations/{created.Value.Id}", created.Value)
            : Problems.From(created.Error);
    }

    private static async Task<Results<Ok<IntegrationView>, ProblemHttpResult>> UpdateAsync(
        Guid id,
        IntegrationBody? body,
        IntegrationService integrations,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    ) =>
        Answer(
            await integrations.UpdateAsync(SkeinUser.ActorOf(user), id, body ?? NoIntegrationChange, cancellationToken)
        );

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id,
        IntegrationService integrations,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    ) => Done(await integrations.DeleteAsync(SkeinUser.ActorOf(user), id, cancellationToken));

    private static async Task<Results<Created<OperationView>, ProblemHttpResult>> CreateOperationAsync(
        Guid id,
        OperationBody? body,
        IntegrationService integrations,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var created = await integrations.CreateOperationAsync(
            SkeinUser.ActorOf(user),
            id,
            body ?? NoOperationChange,
            cancellationToken
        );
        return created.IsSuccess
            ? TypedResults.Created($"/api/integrations/{id}/operations/{created.Value.Id}", created.Value)
            : Problems.From(created.Error);
    }

    private static async Task<Results<Ok<OperationView>, ProblemHttpResult>> UpdateOperationAsync(
        Guid id,
        Guid operationId,
        OperationBody? body,
        IntegrationService integrations,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    ) =>
        Answer(
            await integrations.UpdateOperationAsync(
                SkeinUser.ActorOf(user),
                id,
                operationId,
                body ?? NoOperationChange,
                cancellationToken
            )
        );

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteOperationAsync(
        Guid id,
        Guid operationId,
        IntegrationService integrations,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    ) => Done(await integrations.DeleteOperationAsync(SkeinUser.ActorOf(user), id, operationId, cancellationToken));

    private static Results<Ok<T>, ProblemHttpResult> Answer<T>(Result<T> result) =>
        result.IsSuccess ? TypedResults.Ok(result.Value) : Problems.From(result.Error);

    private static Results<NoContent, ProblemHttpResult> Done(Result<Unit> result) =>
        result.IsSuccess ? TypedResults.NoContent() : Problems.From(result.Error);
}
