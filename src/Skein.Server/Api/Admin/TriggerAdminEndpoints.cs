using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Application.Triggers;
using Skein.Core;
using Skein.Store.Rows;

namespace Skein.Server.Api.Admin;

/// <summary>Management API for triggers of every type, their ingress log, and retrying a failed start: HTTP only,
/// over <see cref="TriggerService"/>.</summary>
public static class TriggerAdminEndpoints
{
    public static RouteGroupBuilder MapTriggerAdmin(this RouteGroupBuilder api)
    {
        api.MapPost("/agents/{agentId}/triggers", CreateAsync)
            .WithName("AdminCreateTrigger")
            .WithSummary(
                "Create an api, scheduled or event trigger "
                    + "(an event trigger's generated signing secret is in this response only)"
            );
        api.MapGet("/agents/{agentId}/triggers/{triggerId:guid}", GetAsync)
            .WithName("AdminGetTrigger")
            .WithSummary("One trigger (never secret values)");
        api.MapPut("/agents/{agentId}/triggers/{triggerId:guid}", UpdateAsync)
            .WithName("AdminUpdateTrigger")
            .WithSummary("Edit a trigger: name, active flag and the settings of its type");
        api.MapDelete("/agents/{agentId}/triggers/{triggerId:guid}", DeleteAsync)
            .WithName("AdminDeleteTrigger")
            .WithSummary("Delete a trigger and its ingress log");
        api.MapGet("/agents/{agentId}/triggers/{triggerId:guid}/ingress", IngressAsync)
            .WithName("AdminTriggerIngress")
            .WithSummary(
                "The trigger's ingress log, newest first: every authenticated start attempt with its outcome and "
                    + "redacted payload, and the count of refused unauthenticated deliveries"
            );
        api.MapPost("/agents/{agentId}/triggers/{triggerId:guid}/ingress/{entryId:guid}/retry", RetryAsync)
            .WithName("AdminRetryIngress")
            .WithSummary("Start again from a failed ingress entry's kept input");
        return api;
    }

    public sealed record IngressItem(
        Guid Id,
        DateTime ReceivedAt,
        string Outcome,
        string? DeliveryId,
        string? Error,
        Guid? SessionId,
        Guid? RunId,
        JsonElement? Payload,
        bool Retryable,
        Guid? RetryOf
    );

    /// <summary>Deliveries refused before authentication (bad signature, stale timestamp, over-long delivery id):
    /// only counted, never logged one by one.</summary>
    public sealed record RefusedDeliveries(long Count, DateTime LastRefusedAt, string LastReason);

    public sealed record IngressList(IReadOnlyList<IngressItem> Items, RefusedDeliveries? Refused);

    public sealed record RetryResponse(Guid SessionId, Guid RunId, string Status);

    private static async Task<Results<Created<TriggerView>, ProblemHttpResult>> CreateAsync(
        Guid agentId,
        TriggerBody? body,
        TriggerService triggers,
        CancellationToken cancellationToken
    )
    {
        if (body is null)
        {
            return Problems.Invalid("type must be 'api', 'scheduled' or 'event'");
        }

        var created = await triggers.CreateAsync(agentId, body, Actor.Admin, cancellationToken);
        return created.IsSuccess
            ? TypedResults.Created($"/api/agents/{agentId}/triggers/{created.Value.Id}", created.Value)
            : Problems.From(created.Error);
    }

    private static async Task<Results<Ok<TriggerView>, ProblemHttpResult>> GetAsync(
        Guid agentId,
        Guid triggerId,
        TriggerService triggers,
        CancellationToken cancellationToken
    ) => OkOrProblem(await triggers.GetAsync(agentId, triggerId, cancellationToken));

    /// <summary><c>PUT /api/agents/{agentId}/triggers/{triggerId}</c>; absent fields keep their value.</summary>
    private static async Task<Results<Ok<TriggerView>, ProblemHttpResult>> UpdateAsync(
        Guid agentId,
        Guid triggerId,
        TriggerBody? body,
        TriggerService triggers,
        CancellationToken cancellationToken
    ) =>
        body is null
            ? Problems.Invalid("a JSON body is required")
            : OkOrProblem(await triggers.UpdateAsync(agentId, triggerId, body, Actor.Admin, cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid agentId,
        Guid triggerId,
        TriggerService triggers,
        CancellationToken cancellationToken
    )
    {
        var deleted = await triggers.DeleteAsync(agentId, triggerId, Actor.Admin, cancellationToken);
        return deleted.IsSuccess ? TypedResults.NoContent() : Problems.From(deleted.Error);
    }

    private static async Task<Results<Ok<IngressList>, ProblemHttpResult>> IngressAsync(
        Guid agentId,
        Guid triggerId,
        int? skip,
        int? take,
        TriggerService triggers,
        CancellationToken cancellationToken
    )
    {
        var entries = await triggers.IngressAsync(agentId, triggerId, skip ?? 0, take ?? 50, cancellationToken);
        if (!entries.IsSuccess)
        {
            return Problems.From(entries.Error);
        }

        var refused = entries.Value.Refusals is { } r
            ? new RefusedDeliveries(r.Refused, r.LastRefusedAt, r.LastReason)
            : null;
        return TypedResults.Ok(new IngressList([.. entries.Value.Entries.Select(Item)], refused));
    }

    private static async Task<Results<Accepted<RetryResponse>, ProblemHttpResult>> RetryAsync(
        Guid agentId,
        Guid triggerId,
        Guid entryId,
        TriggerService triggers,
        CancellationToken cancellationToken
    )
    {
        var retried = await triggers.RetryAsync(agentId, triggerId, entryId, Actor.Admin, cancellationToken);
        return retried.IsSuccess
            ? TypedResults.Accepted(
                $"/api/sessions/{retried.Value.SessionId}",
                new RetryResponse(retried.Value.SessionId, retried.Value.RunId, retried.Value.State.Status.ToString())
            )
            : Problems.From(retried.Error);
    }

    internal static Results<Ok<T>, ProblemHttpResult> OkOrProblem<T>(Result<T> result) =>
        result.IsSuccess ? TypedResults.Ok(result.Value) : Problems.From(result.Error);

    private static IngressItem Item(TriggerIngressRow e) =>
        new(
            e.Id,
            e.ReceivedAt,
            e.Outcome,
            e.DeliveryId,
            e.Error,
            e.SessionId,
            e.RunId,
            Payload(e.RedactedPayload),
            TriggerService.IsRetryable(e),
            e.RetryOf
        );

    /// <summary>The logged payload as JSON when it still parses (it may have been cut), else as a string.</summary>
    private static JsonElement? Payload(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return SkeinJson.Parse(text);
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }
}
