using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Skein.Application.Agents;
using Skein.Core;
using Skein.Core.Events;
using Skein.Core.UserTasks;
using Skein.Engine.Sessions;
using Skein.Server.Api.Contracts;
using Skein.Server.Auth;
using Skein.Store.EventLog;
using Skein.Store.Sessions;

namespace Skein.Server.Api.Admin;

/// <summary>Review → Approvals for operators, a session's audit trail, and the audited execution-mode
/// change.</summary>
public static class UserTaskAdminEndpoints
{
    public static RouteGroupBuilder MapUserTaskAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/tasks", ListAsync)
            .WithName("AdminListUserTasks")
            .WithSummary("User tasks (approvals, forms) by status and kind, newest first")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapPost("/tasks/{taskId}/answer", AnswerAsync)
            .WithName("AdminAnswerUserTask")
            .WithSummary("Answer a pending user task; 409 when it is no longer pending, 400 for an invalid answer")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/sessions/{sessionId}/audit", AuditAsync)
            .WithName("AdminSessionAudit")
            .WithSummary("Who decided what and when in a session: answers, Terminate, Mark complete, status changes")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/agents/{agentId}/execution-mode", ChangeModeAsync)
            .WithName("AdminChangeExecutionMode")
            .WithSummary("Change an agent's execution mode (Request, HITL, SubAgent); recorded in the audit log")
            .WithMetadata(Auth.RouteAccess.Develop);
        return api;
    }

    public sealed record AnswerBody(
        bool? Approved,
        string? SelectedOptionId,
        string? TextValue,
        double? NumberValue,
        JsonElement? Metadata,
        string? Comment
    );

    public sealed record ModeBody(string? ExecutionMode);

    public sealed record UserTaskList(IReadOnlyList<UserTaskDto> Items);

    public sealed record AnswerResponse(string Status);

    public sealed record AuditList(IReadOnlyList<AuditEntry> Items);

    public sealed record AuditEntry(
        long Sequence,
        DateTimeOffset At,
        string Actor,
        string Action,
        Guid? RunId,
        JsonElement Detail
    );

    private static async Task<Results<Ok<UserTaskList>, ProblemHttpResult>> ListAsync(
        string? status,
        string? kind,
        int? skip,
        int? take,
        SessionQueries sessions,
        UserTaskQueries tasks,
        CancellationToken cancellationToken
    )
    {
        if (status is not null && !Enum.TryParse<UserTaskStatus>(status, ignoreCase: false, out _))
        {
            return Problems.Invalid($"unknown status '{status}'; expected Pending, Completed or Cancelled");
        }

        if (kind is not null && !UserTaskKinds.All.Contains(kind))
        {
            return Problems.Invalid($"unknown kind '{kind}'");
        }

        if (skip is < 0 || take is < 1 or > 100)
        {
            return Problems.Invalid("skip must be >= 0 and take between 1 and 100");
        }

        var tenant = await sessions.DefaultTenantAsync(cancellationToken);
        var rows = await tasks.ListAsync(tenant, status, kind, skip ?? 0, take ?? 50, cancellationToken);
        return TypedResults.Ok(new UserTaskList([.. rows.Select(UserTaskDto.From)]));
    }

    private static async Task<Results<Ok<AnswerResponse>, ProblemHttpResult>> AnswerAsync(
        Guid taskId,
        AnswerBody? body,
        SessionActions actions,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        if (body is null)
        {
            return Problems.Invalid("a JSON body with the answer is required");
        }

        var result = await actions.AnswerTaskAsync(
            taskId,
            null,
            ToAnswer(body),
            SkeinUser.ActorOf(user).Value,
            cancellationToken
        );
        return result.Error is { } error
            ? Problems.From(error)
            : TypedResults.Ok(new AnswerResponse(result.State!.Tasks[taskId].Status.ToString()));
    }

    public static UserTaskAnswer ToAnswer(AnswerBody body) =>
        new()
        {
            Approved = body.Approved,
            SelectedOptionId = body.SelectedOptionId,
            TextValue = body.TextValue,
            NumberValue = body.NumberValue,
            Metadata = body.Metadata,
            Comment = body.Comment,
        };

    private static async Task<Results<Ok<AuditList>, ProblemHttpResult>> AuditAsync(
        Guid sessionId,
        EventLogReader reader,
        CancellationToken cancellationToken
    )
    {
        var events = await reader.ReadAfterAsync(sessionId, 0, cancellationToken);
        if (events.Count == 0)
        {
            return Problems.From(DomainError.NotFound("session", sessionId));
        }

        var entries = events
            .Where(e =>
                e.Event
                    is SessionStatusChanged
                        or RunStatusChanged
                        or UserTaskCreated
                        or UserTaskAnswered
                        or UserTaskCancelled
                        or SessionStarted
            )
            .Select(e => new AuditEntry(
                e.Sequence,
                e.Event.At,
                e.Event.Actor,
                e.Event.TypeName,
                e.Event.RunIdOrNull,
                JsonSerializer.SerializeToElement(e.Event, SkeinJson.Options)
            ));
        return TypedResults.Ok(new AuditList([.. entries]));
    }

    private static async Task<Results<Ok<AgentMode>, ProblemHttpResult>> ChangeModeAsync(
        Guid agentId,
        ModeBody? body,
        AgentService agents,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var changed = await agents.ChangeModeAsync(
            SkeinUser.ActorOf(user),
            agentId,
            body?.ExecutionMode,
            cancellationToken
        );
        return changed.IsSuccess ? TypedResults.Ok(changed.Value) : Problems.From(changed.Error);
    }
}
