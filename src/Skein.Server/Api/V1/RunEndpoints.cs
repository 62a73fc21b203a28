using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Core;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Engine.Sessions;
using Skein.Server.Api.V1.FileLibrary;
using Skein.Server.Auth;
using Skein.Server.Security;
using Skein.Store.Sessions;

namespace Skein.Server.Api.V1;

/// <summary>Public API, run routes: poll, conversation, messages/input, skip-agent-wait.</summary>
public static class RunEndpoints
{
    public static RouteGroupBuilder MapV1Runs(this RouteGroupBuilder v1)
    {
        v1.MapGet("/runs/{runId}", GetRunAsync)
            .WithName("GetRun")
            .WithSummary("Poll a run: status, output, error (never redacted)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapGet("/runs/{runId}/conversation", GetConversationAsync)
            .WithName("GetConversation")
            .WithSummary("The session, every run, and one merged timeline")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapPost("/runs/{runId}/messages", SendMessageAsync)
            .WithInputLimit(InputLimitScope.RunSession)
            .WithName("SendRunMessage")
            .WithSummary("Answer a user task or continue a conversational run (202)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        v1.MapPost("/runs/{runId}/input", SendMessageAsync)
            .WithInputLimit(InputLimitScope.RunSession)
            .WithName("SendRunInput")
            .WithSummary("Same as /messages")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        v1.MapPost("/runs/{runId}/skip-agent-wait", SkipWaitAsync)
            .WithName("SkipAgentWait")
            .WithSummary("End a phrony_wait now; only while WaitingForTimer (else 400)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return v1;
    }

    public sealed record RunResponse(
        Guid RunId,
        string Status,
        JsonElement? Output,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
        Guid SessionId,
        Guid AgentId,
        Guid AgentVersionId,
        Guid? ParentRunId,
        int Depth,
        long TotalTokensUsed,
        DateTime StartedAt,
        DateTime? FinishedAt,
        string AgentName,
        string VersionLabel,
        string LlmModel
    )
    {
        /// <summary>The run's cost in US dollars (SPEC section 12).</summary>
        public decimal TotalCostUsd { get; init; }
    }

    /// <summary>The message body of SPEC section 4: a user-task answer, or a follow-up text.</summary>
    public sealed record MessageBody(
        Guid? RunId,
        Guid? UserTaskId,
        bool? Approved,
        string? SelectedOptionId,
        string? TextValue,
        double? NumberValue,
        JsonElement? Metadata,
        string? Text,
        string? Message,
        JsonElement? Files
    );

    /// <summary>The 202 body: the run's status; <c>queued: true</c> when the run was at work and the message waits
    /// for its next model turn (SPEC section 12), absent otherwise.</summary>
    public sealed record AcceptedStatus(
        string Status,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Queued = null
    );

    private static async Task<Results<Ok<RunResponse>, ProblemHttpResult>> GetRunAsync(
        Guid runId,
        HttpContext http,
        V1Access access,
        CancellationToken cancellationToken
    )
    {
        if (await access.RunAsync(ApiKeyAuthenticationHandler.Caller(http), runId, cancellationToken) is not { } found)
        {
            return Problems.NotFound("run", runId);
        }

        var r = found.Run;
        return TypedResults.Ok(
            new RunResponse(
                r.Id,
                r.Status,
                r.Output is null ? null : SkeinJson.Parse(r.Output),
                r.Error,
                r.SessionId,
                r.AgentId,
                r.AgentVersionId,
                r.ParentRunId,
                r.Depth,
                r.TotalTokensUsed,
                r.StartedAt,
                r.FinishedAt,
                r.AgentName,
                r.VersionLabel,
                r.LlmModel
            )
            {
                TotalCostUsd = r.TotalCostUsd,
            }
        );
    }

    private static async Task<Results<Ok<ConversationView.Response>, ProblemHttpResult>> GetConversationAsync(
        Guid runId,
        string? stepContent,
        HttpContext http,
        V1Access access,
        SessionQueries queries,
        CancellationToken cancellationToken
    )
    {
        if (stepContent is not (null or "slim" or "full"))
        {
            return Problems.Invalid("stepContent must be 'slim' or 'full'");
        }

        if (
            await access.RunAsync(ApiKeyAuthenticationHandler.Caller(http), runId, cancellationToken) is not { } found
            || await queries.GetAsync(found.Session.Id, cancellationToken) is not { } detail
        )
        {
            return Problems.NotFound("run", runId);
        }

        var redact = await access.HidesTimelineAsync(found.Session.AgentId, cancellationToken);
        return TypedResults.Ok(ConversationView.Build(detail, slim: stepContent == "slim", redact));
    }

    private static async Task<Results<Accepted<AcceptedStatus>, ProblemHttpResult>> SendMessageAsync(
        Guid runId,
        MessageBody? body,
        HttpContext http,
        V1Access access,
        FileReferences files,
        SessionActions actions,
        CancellationToken cancellationToken
    )
    {
        var caller = ApiKeyAuthenticationHandler.Caller(http);
        if (body is null)
        {
            return Problems.Invalid("a JSON body is required");
        }

        if (body.RunId is { } bodyRunId && bodyRunId != runId)
        {
            return Problems.Invalid("runId in the body must match the run in the path");
        }

        if (await access.RunAsync(caller, runId, cancellationToken) is not { } found)
        {
            return Problems.NotFound("run", runId);
        }

        if (body.UserTaskId is { } taskId)
        {
            var answer = new Skein.Core.UserTasks.UserTaskAnswer
            {
                Approved = body.Approved,
                SelectedOptionId = body.SelectedOptionId,
                TextValue = body.TextValue,
                NumberValue = body.NumberValue,
                Metadata = body.Metadata,
                Comment = body.Text ?? body.Message,
            };
            var answered = await actions.AnswerTaskAsync(
                taskId,
                runId,
                answer,
                Actor.ApiKey(caller.KeyId).Value,
                await access.AnswerPolicyAsync(found.Session.AgentId, cancellationToken),
                cancellationToken
            );
            return answered.Error is { } answerError ? Problems.From(answerError) : Accepted(answered, runId);
        }

        // Attachments reach the run as a note appended to the text (one line per file, see docs/api.md).
        var attached = await files.ResolveAttachmentsAsync(caller.TenantId, body.Files, cancellationToken);
        var text = body.Text ?? body.Message;
        if (attached.Count > 0)
        {
            var note = FileReferences.AttachmentNote(attached);
            text = string.IsNullOrWhiteSpace(text) ? note : $"{text}\n\n{note}";
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return Problems.Invalid("a message needs a userTaskId, non-empty text (or message), or files");
        }

        var result = await actions.SendMessageAsync(runId, text, Actor.ApiKey(caller.KeyId).Value, cancellationToken);
        if (result.Error is { } error)
        {
            return Problems.From(error);
        }

        return SessionDeciderInputs.MidRun(result.Events, runId) is null
            ? Accepted(result, runId)
            : TypedResults.Accepted((string?)null, new AcceptedStatus(nameof(RunStatus.Running), Queued: true));
    }

    private static async Task<Results<Accepted<AcceptedStatus>, ProblemHttpResult>> SkipWaitAsync(
        Guid runId,
        HttpContext http,
        V1Access access,
        SessionActions actions,
        CancellationToken cancellationToken
    )
    {
        var caller = ApiKeyAuthenticationHandler.Caller(http);
        if (await access.RunAsync(caller, runId, cancellationToken) is null)
        {
            return Problems.NotFound("run", runId);
        }

        var result = await actions.SkipWaitAsync(runId, Actor.ApiKey(caller.KeyId).Value, cancellationToken);
        return result.Error is { } error ? Problems.Invalid(error.Message) : Accepted(result, runId);
    }

    private static Accepted<AcceptedStatus> Accepted(CommandResult result, Guid runId) =>
        TypedResults.Accepted((string?)null, new AcceptedStatus(result.State!.Runs[runId].Status.ToString()));
}
