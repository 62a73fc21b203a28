using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Skein.Application.Triggers;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Triggers;
using Skein.Server.Dashboard.Auth;
using Skein.Store.Agents;
using Skein.Store.Rows;

namespace Skein.Server.Dashboard.Pages.Agents;

/// <summary>
/// The Triggers tab: the api trigger, and scheduled and event triggers (create, edit, activate/deactivate, delete),
/// all through <see cref="TriggerService"/>, so a bad cron, time zone, input or secret is refused the same way as on
/// the management API.
/// </summary>
public sealed partial class DetailModel
{
    /// <summary>A signing secret Skein just generated: shown once, in this response only (never in the TempData
    /// cookie).</summary>
    public string? CreatedSigningSecret { get; private set; }

    /// <summary>A notice of this response, for answers rendered in place rather than redirected.</summary>
    public string? Notice { get; private set; }

    /// <summary>Why this agent can have no triggers (a sub-agent), or null when it can.</summary>
    public string? NoTriggersReason =>
        Enum.TryParse<ExecutionMode>(Agent.ExecutionMode, out var mode)
            ? TriggerRules.CheckAgentMayHaveTriggers(mode)?.Message
            : null;

    public static ScheduledTriggerSettings ScheduledSettings(TriggerRow trigger) =>
        TriggerQueries.Settings<ScheduledTriggerSettings>(trigger);

    public static EventTriggerSettings EventSettings(TriggerRow trigger) =>
        TriggerQueries.Settings<EventTriggerSettings>(trigger);

    /// <summary>Creates or updates the api trigger (as <c>PUT /api/agents/{id}/triggers/api</c> does).</summary>
    public async Task<IActionResult> OnPostApiTriggerAsync(
        bool active,
        string? rpmLimit,
        string? maxConcurrentRuns,
        string? ipAllowlist,
        bool exposeStepTimeline,
        bool apiCanAnswerApprovals,
        string? maxInputBytes,
        CancellationToken cancellationToken
    )
    {
        var body = new ApiTriggerBody(
            null,
            active,
            Int(rpmLimit),
            Int(maxConcurrentRuns),
            (ipAllowlist ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            exposeStepTimeline
        )
        {
            ApiCanAnswerApprovals = apiCanAnswerApprovals,
            MaxInputBytes = Int(maxInputBytes),
        };
        var saved = await triggerService.PutApiAsync(Id, body, Operator, cancellationToken);
        TempData[saved.IsSuccess ? "Notice" : "Problem"] = saved.IsSuccess ? "api trigger saved." : saved.Error.Message;
        return Redirect($"/agents/{Id}?tab=triggers");
    }

    public async Task<IActionResult> OnPostScheduledTriggerAsync(
        string? triggerName,
        string? cron,
        string? timeZone,
        string? runInput,
        bool active,
        CancellationToken cancellationToken
    )
    {
        if (!TryParseInput(runInput, out var input, out var error))
        {
            return TriggerNotice("The trigger was not created: " + error, problem: true);
        }

        var body = NewBody(triggerName, TriggerTypes.Scheduled, active) with
        {
            Cron = cron?.Trim() ?? "",
            TimeZone = Zone(timeZone),
            Input = input,
        };
        return await TriggerCallAsync(
            () => triggerService.CreateAsync(Id, body, Operator, cancellationToken),
            "created",
            $"Scheduled trigger {body.Name} created.",
            cancellationToken
        );
    }

    public async Task<IActionResult> OnPostEventTriggerAsync(
        string? triggerName,
        string? signingSecretName,
        string? signingSecret,
        string? inputPath,
        bool active,
        CancellationToken cancellationToken
    )
    {
        var body = NewBody(triggerName, TriggerTypes.Event, active) with
        {
            SigningSecretName = Blank(signingSecretName),
            SigningSecret = string.IsNullOrEmpty(signingSecret) ? null : signingSecret,
            InputPath = Blank(inputPath),
        };
        return await TriggerCallAsync(
            () => triggerService.CreateAsync(Id, body, Operator, cancellationToken),
            "created",
            $"Event trigger {body.Name} created.",
            cancellationToken
        );
    }

    /// <summary>Edits a scheduled or event trigger; an empty signing secret field keeps the stored secret.</summary>
    public async Task<IActionResult> OnPostEditTriggerAsync(
        Guid triggerId,
        string? triggerType,
        string? triggerName,
        bool active,
        string? cron,
        string? timeZone,
        string? runInput,
        string? signingSecretName,
        string? signingSecret,
        string? inputPath,
        bool rotateSigningSecret,
        CancellationToken cancellationToken
    )
    {
        var body = NewBody(triggerName, null, active);
        if (triggerType == TriggerTypes.Scheduled)
        {
            if (!TryParseInput(runInput, out var input, out var error))
            {
                return TriggerNotice("The trigger was not saved: " + error, problem: true);
            }

            // An emptied input field clears the input (JSON null), rather than keeping the old one.
            body = body with
            {
                Cron = cron?.Trim() ?? "",
                TimeZone = Zone(timeZone),
                Input = input ?? SkeinJson.Parse("null"),
            };
        }
        else if (triggerType == TriggerTypes.Event)
        {
            body = body with
            {
                SigningSecretName = Blank(signingSecretName),
                SigningSecret = string.IsNullOrEmpty(signingSecret) ? null : signingSecret,
                InputPath = inputPath?.Trim() ?? "",
                RotateSigningSecret = rotateSigningSecret && string.IsNullOrEmpty(signingSecret),
            };
        }

        return await TriggerCallAsync(
            () => triggerService.UpdateAsync(Id, triggerId, body, Operator, cancellationToken),
            "saved",
            $"Trigger {body.Name} saved.",
            cancellationToken
        );
    }

    public Task<IActionResult> OnPostTriggerActiveAsync(
        Guid triggerId,
        bool active,
        CancellationToken cancellationToken
    ) =>
        TriggerCallAsync(
            () => triggerService.UpdateAsync(Id, triggerId, NewBody(null, null, active), Operator, cancellationToken),
            "saved",
            active ? "Trigger activated." : "Trigger deactivated: it starts nothing until it is activated again.",
            cancellationToken
        );

    public Task<IActionResult> OnPostDeleteTriggerAsync(
        Guid triggerId,
        string? triggerName,
        CancellationToken cancellationToken
    ) =>
        TriggerCallAsync(
            async () =>
            {
                var deleted = await triggerService.DeleteAsync(Id, triggerId, Operator, cancellationToken);
                return deleted.IsSuccess ? Result<string?>.Ok(null) : deleted.Error;
            },
            "deleted",
            $"Trigger {triggerName} deleted.",
            cancellationToken
        );

    private Task<IActionResult> TriggerCallAsync(
        Func<Task<Result<TriggerView>>> call,
        string verb,
        string done,
        CancellationToken cancellationToken
    ) =>
        TriggerCallAsync(
            async () =>
            {
                var result = await call();
                return result.IsSuccess ? Result<string?>.Ok(result.Value.SigningSecret) : result.Error;
            },
            verb,
            done,
            cancellationToken
        );

    /// <summary>Runs a trigger change: a refusal is a notice; a signing secret Skein generated is shown once, in this
    /// response (never in the TempData cookie).</summary>
    private async Task<IActionResult> TriggerCallAsync(
        Func<Task<Result<string?>>> call,
        string verb,
        string done,
        CancellationToken cancellationToken
    )
    {
        var result = await call();
        if (!result.IsSuccess)
        {
            return TriggerNotice($"The trigger was not {verb}: {result.Error.Message}", problem: true);
        }

        if (result.Value is not { } generated)
        {
            return TriggerNotice(done);
        }

        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        Tab = "triggers";
        Notice = done;
        CreatedSigningSecret = generated;
        return Page();
    }

    private Actor Operator => DashboardAuth.Actor(User);

    private static int? Int(string? text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private RedirectResult TriggerNotice(string message, bool problem = false)
    {
        TempData[problem ? "Problem" : "Notice"] = message;
        return Redirect($"/agents/{Id}?tab=triggers");
    }

    private static TriggerBody NewBody(string? name, string? type, bool active) =>
        new(Blank(name), type, active, null, null, null, null, null, null, null, null, null, null, null);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Zone(string? timeZone) => string.IsNullOrWhiteSpace(timeZone) ? "UTC" : timeZone.Trim();

    private static bool TryParseInput(string? text, out JsonElement? input, out string error)
    {
        input = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        try
        {
            input = JsonDocument.Parse(text).RootElement.Clone();
            return true;
        }
        catch (JsonException e)
        {
            error = "the run input is not valid JSON (" + e.Message + ")";
            return false;
        }
    }
}
