using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Skein.Core;
using Skein.Core.Sessions;
using Skein.Engine.Runs;
using Skein.Engine.Sessions;
using Skein.Server.Api.Contracts;
using Skein.Server.Auth;
using Skein.Store.Sessions;

namespace Skein.Server.Api.Admin;

/// <summary>
/// The operator side of sessions (SPEC section 10): find them (<c>GET /api/sessions</c>), act on many at once
/// (<c>POST /api/sessions/bulk</c>), Rerun and Fork. Mapped inside the session route group so they share its access
/// rules.
/// </summary>
public static class SessionSearchEndpoints
{
    public const int MaxTake = 100;

    public static RouteGroupBuilder MapSessionOperations(this RouteGroupBuilder api)
    {
        api.MapPost("/sessions/bulk", BulkAsync)
            .WithName("AdminBulkSessions")
            .WithSummary(
                "Terminate or Mark complete many sessions (ids, or every session a filter matches; at most 1,000): "
                    + "a result per session, done, skipped or failed"
            )
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapPost("/sessions/{sessionId}/rerun", RerunAsync)
            .WithName("AdminRerunSession")
            .WithSummary("A new session with the same input on the agent's current Deployed version")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/sessions/{sessionId}/fork", ForkAsync)
            .WithName("AdminForkSession")
            .WithSummary(
                "A new session whose root run copies the source's steps up to fromSequence (a step's eventSequence) "
                    + "and continues live from there"
            )
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>One page of a session search; <c>next</c> is the <c>after</c> of the following page, null on the
    /// last.</summary>
    public sealed record SessionSearchPage(IReadOnlyList<SessionDto> Items, string? Next);

    /// <summary>The filter of a bulk action: the list's query parameters as a JSON object.</summary>
    public sealed record SessionFilterBody(
        string? Q,
        Guid? AgentId,
        string? Status,
        string? TriggerType,
        DateTimeOffset? From,
        DateTimeOffset? To,
        IReadOnlyList<string>? Tag
    );

    public sealed record BulkBody(string? Action, IReadOnlyList<Guid>? Ids, SessionFilterBody? Filter);

    public sealed record BulkResponse(IReadOnlyList<BulkItemResult> Results);

    public sealed record ForkBody(long? FromSequence);

    public sealed record StartedSession(Guid SessionId, Guid RunId);

    internal static async Task<Results<Ok<SessionSearchPage>, ProblemHttpResult>> SearchAsync(
        SessionListPage list,
        SessionQueries queries,
        string? q,
        Guid? agentId,
        string? status,
        string? triggerType,
        DateTimeOffset? from,
        DateTimeOffset? to,
        [FromQuery] string[]? tag,
        string? after,
        int? skip,
        int? take,
        CancellationToken cancellationToken
    )
    {
        var criteria = SessionCriteria.Parse(q, agentId, status, triggerType, from, to, tag);
        if (!criteria.IsSuccess)
        {
            return Problems.From(criteria.Error);
        }

        if (skip is < 0 || take is < 1 or > MaxTake)
        {
            return Problems.Invalid($"skip must be >= 0 and take between 1 and {MaxTake}");
        }

        var cursor = ListCursor.Parse(after);
        if (after is not null && cursor is null)
        {
            return Problems.Invalid("after is not a cursor this list returned (its 'next')");
        }

        var size = take ?? 50;
        var page = await list.ReadAsync(
            new ListQuery(await queries.DefaultTenantAsync(cancellationToken), size)
            {
                Criteria = criteria.Value,
                After = cursor,
                Skip = cursor is null ? skip ?? 0 : 0,
            },
            cancellationToken
        );
        return TypedResults.Ok(
            new SessionSearchPage(
                [.. page.Rows.Select(SessionDto.From)],
                page.HasOlder ? ListCursor.Of(page.Rows[^1]).ToString() : null
            )
        );
    }

    private static async Task<Results<Ok<BulkResponse>, ProblemHttpResult>> BulkAsync(
        BulkBody? body,
        SessionListPage list,
        SessionQueries queries,
        SessionBulk bulk,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        if (BulkActions.Parse(body?.Action) is not { } action)
        {
            return Problems.Invalid("action must be 'terminate' or 'complete'");
        }

        if ((body!.Ids is null) == (body.Filter is null))
        {
            return Problems.Invalid("send either ids or filter");
        }

        IReadOnlyList<Guid> ids;
        if (body.Ids is { } given)
        {
            if (given.Count > BulkActions.MaxSessions)
            {
                return Problems.Invalid($"at most {BulkActions.MaxSessions} ids per request");
            }

            ids = given;
        }
        else
        {
            var f = body.Filter!;
            var criteria = SessionCriteria.Parse(f.Q, f.AgentId, f.Status, f.TriggerType, f.From, f.To, f.Tag);
            if (!criteria.IsSuccess)
            {
                return Problems.From(criteria.Error);
            }

            var tenant = await queries.DefaultTenantAsync(cancellationToken);
            ids = await list.MatchingIdsAsync(tenant, criteria.Value, BulkActions.MaxSessions + 1, cancellationToken);
            if (ids.Count > BulkActions.MaxSessions)
            {
                return Problems.Invalid(
                    $"the filter matches more than {BulkActions.MaxSessions} sessions: narrow it, or send ids"
                );
            }
        }

        return TypedResults.Ok(
            new BulkResponse(await bulk.ApplyAsync(action, ids, SkeinUser.ActorOf(user).Value, cancellationToken))
        );
    }

    private static async Task<Results<Accepted<StartedSession>, ProblemHttpResult>> RerunAsync(
        Guid sessionId,
        RunStarter starter,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    ) => Started(await starter.RerunAsync(sessionId, SkeinUser.ActorOf(user).Value, cancellationToken));

    private static async Task<Results<Accepted<StartedSession>, ProblemHttpResult>> ForkAsync(
        Guid sessionId,
        ForkBody? body,
        RunStarter starter,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        if (body?.FromSequence is not { } from)
        {
            return Problems.Invalid("fromSequence is required (the eventSequence of the step to fork from)");
        }

        return Started(await starter.ForkAsync(sessionId, from, SkeinUser.ActorOf(user).Value, cancellationToken));
    }

    private static Results<Accepted<StartedSession>, ProblemHttpResult> Started(Result<StartedRun> started) =>
        started.IsSuccess
            ? TypedResults.Accepted(
                $"/api/sessions/{started.Value.SessionId}",
                new StartedSession(started.Value.SessionId, started.Value.RunId)
            )
            : Problems.From(started.Error);
}
