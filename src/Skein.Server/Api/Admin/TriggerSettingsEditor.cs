using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Skein.Core;
using Skein.Core.Triggers;
using Skein.Engine.Triggers;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Secrets;

namespace Skein.Server.Api.Admin;

/// <summary>
/// Applies a <see cref="TriggerBody"/> to a trigger row: validates the fields of its type, merges them into
/// the settings JSON, plans the next slot of a scheduled trigger, and stores an event trigger's secret.
/// Returns the generated signing secret (to show once) or throws <see cref="DomainException"/> for bad input.
/// </summary>
public sealed class TriggerSettingsEditor(SecretStore secrets, TimeProvider time)
{
    public async Task<string?> ApplyAsync(
        TriggerRow trigger,
        TriggerBody body,
        bool creating,
        CancellationToken cancellationToken
    )
    {
        if (body.Name is not null && (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200))
        {
            throw Invalid("a trigger name is 1 to 200 characters, not blank");
        }

        trigger.Name = body.Name ?? trigger.Name;
        var wasActive = trigger.Active;
        trigger.Active = body.Active ?? trigger.Active;
        switch (trigger.Type)
        {
            case TriggerTypes.Api:
                trigger.Settings = Serialize(
                    ApplyApi(creating ? new ApiTriggerSettings() : TriggerQueries.ApiSettings(trigger), body)
                );
                return null;
            case TriggerTypes.Scheduled:
                ApplyScheduled(trigger, body, creating, wasActive);
                return null;
            default:
                return await ApplyEventAsync(trigger, body, creating, cancellationToken);
        }
    }

    private static ApiTriggerSettings ApplyApi(ApiTriggerSettings current, TriggerBody body)
    {
        if (body.RpmLimit is < 0 || body.MaxConcurrentRuns is < 0)
        {
            throw Invalid("rpmLimit and maxConcurrentRuns must be 0 (unlimited) or more");
        }

        // The list is typed non-null, but JSON can still carry null entries: they are invalid like any other.
        var bad = body
            .IpAllowlist?.Where(e => e is null || (!IPNetwork.TryParse(e, out _) && !IPAddress.TryParse(e, out _)))
            .Select(e => e ?? "null")
            .FirstOrDefault();
        if (bad is not null)
        {
            throw Invalid($"'{bad}' is neither an IP address nor a CIDR range");
        }

        return current with
        {
            RpmLimit = body.RpmLimit ?? current.RpmLimit,
            MaxConcurrentRuns = body.MaxConcurrentRuns ?? current.MaxConcurrentRuns,
            IpAllowlist = body.IpAllowlist ?? current.IpAllowlist,
            ExposeStepTimeline = body.ExposeStepTimeline ?? current.ExposeStepTimeline,
        };
    }

    private void ApplyScheduled(TriggerRow trigger, TriggerBody body, bool creating, bool wasActive)
    {
        var current = creating ? new ScheduledTriggerSettings() : Read<ScheduledTriggerSettings>(trigger);
        if (body.Input is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            throw Invalid("input must be a JSON object");
        }

        var settings = current with
        {
            Cron = body.Cron ?? current.Cron,
            TimeZone = body.TimeZone ?? current.TimeZone,
            Input =
                body.Input is { ValueKind: JsonValueKind.Object } input ? input
                : body.Input is null ? current.Input
                : null,
        };
        var schedule = CronSchedule.Parse(settings.Cron, settings.TimeZone);
        var changed =
            creating
            || settings.Cron != current.Cron
            || settings.TimeZone != current.TimeZone
            || (trigger.Active && !wasActive);
        trigger.Settings = Serialize(settings);

        // A new, re-timed or re-activated schedule waits for its next slot after now: nothing fires for the past.
        if (!trigger.Active)
        {
            trigger.NextFireAt = null;
        }
        else if (changed || trigger.NextFireAt is null)
        {
            trigger.NextFireAt = schedule.NextAfter(time.GetUtcNow().UtcDateTime);
        }
    }

    private async Task<string?> ApplyEventAsync(
        TriggerRow trigger,
        TriggerBody body,
        bool creating,
        CancellationToken cancellationToken
    )
    {
        var current = creating ? new EventTriggerSettings() : Read<EventTriggerSettings>(trigger);
        if (!PayloadSelection.IsValidPath(body.InputPath))
        {
            throw Invalid(
                "inputPath is a dotted path like 'data.order' (letters, digits, '_' and '-' between the dots)"
            );
        }

        var name = body.SigningSecretName
            ?? (
                string.IsNullOrEmpty(current.SigningSecretName)
                    ? $"trigger-{trigger.Id}-signing"
                    : current.SigningSecretName
            );
        if (!SecretStore.IsValidName(name))
        {
            throw Invalid("signingSecretName is not a valid secret name");
        }

        string? generated = null;
        if (body.SigningSecret is { } given)
        {
            if (given.Length is < 16 or > SecretStore.MaxValueLength)
            {
                throw Invalid("signingSecret must be 16 to 16384 characters");
            }

            await secrets.SetAsync(trigger.TenantId, name, given, cancellationToken);
        }
        else if (
            body.RotateSigningSecret == true
            || (
                body.SigningSecretName is null
                && await secrets.GetAsync(trigger.TenantId, name, cancellationToken) is null
            )
        )
        {
            generated = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            await secrets.SetAsync(trigger.TenantId, name, generated, cancellationToken);
        }
        else if (await secrets.GetAsync(trigger.TenantId, name, cancellationToken) is null)
        {
            throw Invalid($"there is no secret named '{name}'; create it first (PUT /api/secrets/{name})");
        }

        trigger.Settings = Serialize(
            current with
            {
                SigningSecretName = name,
                InputPath = body.InputPath ?? current.InputPath,
            }
        );
        return generated;
    }

    private static T Read<T>(TriggerRow trigger)
        where T : new() => JsonSerializer.Deserialize<T>(trigger.Settings, SkeinJson.Options) ?? new T();

    private static string Serialize<T>(T settings) => JsonSerializer.Serialize(settings, SkeinJson.Options);

    private static DomainException Invalid(string message) =>
        new(new DomainError(DomainErrorCodes.InvalidInput, message));
}
