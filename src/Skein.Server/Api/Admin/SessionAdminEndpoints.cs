using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Core;
using Skein.Engine.Sessions;
using Skein.Server.Api.Contracts;
using Skein.Server.Auth;
using Skein.Store.Sessions;

namespace Skein.Server.Api.Admin;

/// <summary>Operator access to sessions: read, Terminate, Mark complete, and the inputs a run may wait for.</summary>
public static class SessionAdminEndpoints
{
    public static RouteGroupBuilder MapSessionAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/sessions", SessionSearchEndpoints.SearchAsync)
            .WithName("AdminListSessions")
            .WithSummary(
                "Find sessions, newest first: text in input, output and errors (q), agent, status, trigger type, "
                    + "time range and tags; keyset pages (after → next)"
            )
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/sessions/{sessionId}", GetAsync)
            .WithName("AdminGetSession")
            .WithSummary("A session with its runs and step timeline")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/sessions/{sessionId}/terminate", TerminateAsync)
            .WithName("AdminTerminateSession")
            .WithSummary("Terminate: non-terminal runs fail, in-flight work is cancelled; 409 when already finished")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/sessions/{sessionId}/complete", CompleteAsync)
            .WithName("AdminCompleteSession")
            .WithSummary("Mark complete: only while the session waits; 409 otherwise")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/runs/{runId}/messages", MessageAsync)
            .WithName("AdminSendMessage")
            .WithSummary("Continue a conversational run that waits for the user (WaitingForResponse)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/runs/{runId}/skip-agent-wait", SkipWaitAsync)
            .WithName("AdminSkipWait")
            .WithSummary("End a phrony_wait now (WaitingForTimer only)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api.MapSessionOperations();
    }

    public sealed record MessageBody(string? Text, string? Message);

    public sealed record StatusResponse(string Status);

    private static async Task<Results<Ok<SessionDetailDto>, ProblemHttpResult>> GetAsync(
        Guid sessionId,
        SessionQueries queries,
        UserTaskQueries tasks,
        CancellationToken cancellationToken
    )
    {
        var detail = await queries.GetAsync(sessionId, cancellationToken);
        if (detail is null)
        {
            return Problems.From(DomainError.NotFound("session", sessionId));
        }

        var userTasks = await tasks.ForSessionAsync(sessionId, cancellationToken);
        return TypedResults.Ok(
            new SessionDetailDto(
                SessionDto.From(detail.Session),
                [.. detail.Runs.Select(RunDto.From)],
                [.. detail.Steps.Select(StepDto.From)],
                [.. userTasks.Select(UserTaskDto.From)]
            )
        );
    }

    private static async Task<Results<Ok<StatusResponse>, ProblemHttpResult>> TerminateAsync(
        Guid sessionId,
        SessionActions actions,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    ) => Answer(await actions.TerminateAsync(sessionId, SkeinUser.ActorOf(user).Value, cancellationToken));

    private static async Task<Results<Ok<StatusResponse>, ProblemHttpResult>> CompleteAsync(
        Guid sessionId,
        SessionActions actions,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    ) => Answer(await actions.MarkCompleteAsync(sessionId, SkeinUser.ActorOf(user).Value, cancellationToken));

    private static async Task<Results<Accepted<StatusResponse>, ProblemHttpResult>> MessageAsync(
        Guid runId,
        MessageBody? body,
        SessionActions actions,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var text = body?.Text ?? body?.Message;
        if (string.IsNullOrWhiteSpace(text))
        {
            return Problems.Invalid("a message needs non-empty 'text' (or 'message')");
        }

        return Accept(await actions.SendMessageAsync(runId, text, SkeinUser.ActorOf(user).Value, cancellationToken));
    }

    private static async Task<Results<Accepted<StatusResponse>, ProblemHttpResult>> SkipWaitAsync(
        Guid runId,
        SessionActions actions,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    ) => Accept(await actions.SkipWaitAsync(runId, SkeinUser.ActorOf(user).Value, cancellationToken));

    private static Results<Ok<StatusResponse>, ProblemHttpResult> Answer(CommandResult result) =>
        result.Error is { } error
            ? Problems.From(error)
            : TypedResults.Ok(new StatusResponse(result.State!.Status.ToString()));

    private static Results<Accepted<StatusResponse>, ProblemHttpResult> Accept(CommandResult result) =>
        result.Error is { } error
            ? Problems.From(error)
            : TypedResults.Accepted((string?)null, new StatusResponse(result.State!.Status.ToString()));
}
