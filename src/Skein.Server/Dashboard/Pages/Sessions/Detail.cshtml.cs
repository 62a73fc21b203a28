using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Core;
using Skein.Core.Users;
using Skein.Core.UserTasks;
using Skein.Engine.Sessions;
using Skein.Server.Dashboard.Auth;
using Skein.Server.Dashboard.Sessions;
using Skein.Store.EventLog;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Pages.Sessions;

/// <summary>
/// The session view (header, runs, basic/advanced timeline, tokens, audit) and the operator actions on a
/// session: Terminate, Mark complete, answering a user task. Actions go through the engine's
/// <see cref="SessionActions"/>, so the dashboard follows exactly the rules the API does.
/// </summary>
[Requires(Capability.Operate)]
public sealed partial class DetailModel(
    SessionQueries sessions,
    UserTaskQueries tasks,
    EventLogReader events,
    SessionActions actions,
    TimeProvider time
) : PageModel
{
    [FromRoute(Name = "id")]
    public Guid Id { get; set; }

    [FromQuery(Name = "mode")]
    public string? Mode { get; set; }

    public bool Advanced => Mode == "advanced";

    /// <summary>"Open run": the timeline shows one run of the tree.</summary>
    [FromQuery(Name = "run")]
    public Guid? RunFilter { get; set; }

    public SessionPageData Data { get; private set; } = null!;

    public DateTime Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    /// <summary>The live part of the page, re-rendered when the session's stream grows.</summary>
    public async Task<IActionResult> OnGetBodyAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Partial("_SessionBody", this) : NotFound();

    public Task<IActionResult> OnPostTerminateAsync(CancellationToken cancellationToken) =>
        ActAsync(() => actions.TerminateAsync(Id, DashboardAuth.Actor(User).Value, cancellationToken));

    public Task<IActionResult> OnPostCompleteAsync(CancellationToken cancellationToken) =>
        ActAsync(() => actions.MarkCompleteAsync(Id, DashboardAuth.Actor(User).Value, cancellationToken));

    public Task<IActionResult> OnPostSkipWaitAsync(Guid runId, CancellationToken cancellationToken) =>
        ActAsync(() => actions.SkipWaitAsync(runId, DashboardAuth.Actor(User).Value, cancellationToken));

    /// <summary>Continues a conversational run that waits for the user (WaitingForResponse).</summary>
    public Task<IActionResult> OnPostMessageAsync(Guid runId, string? text, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(text)
            ? ActAsync(() =>
                Task.FromResult(
                    new CommandResult(
                        null,
                        new DomainError(DomainErrorCodes.InvalidInput, "a message needs some text"),
                        []
                    )
                )
            )
            : ActAsync(() => actions.SendMessageAsync(runId, text, DashboardAuth.Actor(User).Value, cancellationToken));

    public async Task<IActionResult> OnPostAnswerAsync(
        Guid taskId,
        string? decision,
        string? selectedOptionId,
        string? textValue,
        string? numberValue,
        string? comment,
        CancellationToken cancellationToken
    )
    {
        var answer = new UserTaskAnswer
        {
            Approved = decision switch
            {
                "approve" => true,
                "reject" => false,
                _ => null,
            },
            SelectedOptionId = string.IsNullOrEmpty(selectedOptionId) ? null : selectedOptionId,
            TextValue = string.IsNullOrEmpty(textValue) ? null : textValue,
            NumberValue = double.TryParse(numberValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                ? n
                : null,
            Comment = string.IsNullOrWhiteSpace(comment) ? null : comment,
        };
        return await ActAsync(() =>
            actions.AnswerTaskAsync(taskId, null, answer, DashboardAuth.Actor(User).Value, cancellationToken)
        );
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow().UtcDateTime;
        if (await SessionPageData.LoadAsync(Id, sessions, tasks, events, cancellationToken) is not { } data)
        {
            return false;
        }

        Data = data;
        await LoadForkPointAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Script-driven forms (dashboard.js) get JSON: the new status, or a problem with a clear message (a stale
    /// answer is 409). Plain form posts come back to the session view.
    /// </summary>
    private async Task<IActionResult> ActAsync(Func<Task<CommandResult>> act)
    {
        var result = await act();
        var scripted = Request.Headers.ContainsKey("X-Skein-Async");
        if (result.Error is { } error)
        {
            var message = Explain(error);
            if (scripted)
            {
                var problem = Problems.Details(error.Code, message);
                return new ObjectResult(problem)
                {
                    StatusCode = problem.Status,
                    ContentTypes = { "application/problem+json" },
                };
            }

            TempData["Notice"] = message;
        }

        return scripted && result.Error is null
            ? new JsonResult(new { status = result.State?.Status.ToString() })
            : Redirect($"/sessions/{Id}");
    }

    /// <summary>Operator-facing wording for the refusals an action can meet.</summary>
    public static string Explain(DomainError error) =>
        error.Code switch
        {
            DomainErrorCodes.TaskClosed => "This task was already answered or cancelled, so your answer was not "
                + "recorded. Reload to see its outcome.",
            DomainErrorCodes.IllegalTransition => "The session has moved on, so this action no longer applies: "
                + error.Message,
            DomainErrorCodes.NotFound => "Not found: " + error.Message,
            _ => error.Message,
        };
}
