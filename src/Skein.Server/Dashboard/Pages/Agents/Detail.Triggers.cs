using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Skein.Core;
using Skein.Core.Triggers;
using Skein.Server.Api.Admin;
using Skein.Store.Rows;

namespace Skein.Server.Dashboard.Pages.Agents;

/// <summary>
/// The Triggers tab's scheduled and event triggers: create, edit, activate/deactivate and delete through the code
/// of the management API's trigger routes, so a bad cron, time zone, input or secret is refused the same way.
/// </summary>
public sealed partial class DetailModel
{
    /// <summary>A signing secret Skein just generated: shown once, in this response only (never in the TempData
    /// cookie).</summary>
    public string? CreatedSigningSecret { get; private set; }

    /// <summary>A notice of this response, for answers rendered in place rather than redirected.</summary>
    public string? Notice { get; private set; }

    public static ScheduledTriggerSettings ScheduledSettings(TriggerRow trigger) =>
        JsonSerializer.Deserialize<ScheduledTriggerSettings>(trigger.Settings, SkeinJson.Options)
        ?? new ScheduledTriggerSettings();

    public static EventTriggerSettings EventSettings(TriggerRow trigger) =>
        JsonSerializer.Deserialize<EventTriggerSettings>(trigger.Settings, SkeinJson.Options)
        ?? new EventTriggerSettings();

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
            return TriggerNotice("The trigger was not created: " + error);
        }

        var body = NewBody(triggerName, TriggerTypes.Scheduled, active) with
        {
            Cron = cron?.Trim() ?? "",
            TimeZone = Zone(timeZone),
            Input = input,
        };
        return await TriggerCallAsync(
            () => TriggerAdminEndpoints.CreateAsync(Id, body, contexts, triggerEditor, time, cancellationToken),
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
            () => TriggerAdminEndpoints.CreateAsync(Id, body, contexts, triggerEditor, time, cancellationToken),
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
                return TriggerNotice("The trigger was not saved: " + error);
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
            () => TriggerAdminEndpoints.UpdateAsync(Id, triggerId, body, contexts, triggerEditor, cancellationToken),
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
            () =>
                TriggerAdminEndpoints.UpdateAsync(
                    Id,
                    triggerId,
                    NewBody(null, null, active),
                    contexts,
                    triggerEditor,
                    cancellationToken
                ),
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
            () => TriggerAdminEndpoints.DeleteAsync(Id, triggerId, contexts, secrets, cancellationToken),
            "deleted",
            $"Trigger {triggerName} deleted.",
            cancellationToken
        );

    private async Task<IActionResult> TriggerCallAsync(
        Func<Task<IResult>> call,
        string verb,
        string done,
        CancellationToken cancellationToken
    )
    {
        IResult result;
        try
        {
            result = await call();
        }
        catch (DomainException e)
        {
            return TriggerNotice($"The trigger was not {verb}: {e.Error.Message}");
        }

        if (result is ProblemHttpResult problem)
        {
            return TriggerNotice(
                $"The trigger was not {verb}: {problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title}"
            );
        }

        var generated = result switch
        {
            Created<TriggerView> created => created.Value?.SigningSecret,
            Ok<TriggerView> ok => ok.Value?.SigningSecret,
            _ => null,
        };
        if (generated is null)
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

    private RedirectResult TriggerNotice(string message)
    {
        TempData["Notice"] = message;
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
