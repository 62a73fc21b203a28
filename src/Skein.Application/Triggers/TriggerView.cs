using System.Text.Json;
using Skein.Core;
using Skein.Core.Triggers;
using Skein.Store.Rows;

namespace Skein.Application.Triggers;

/// <summary>
/// A trigger as the management API shows it. Settings carry secret <em>names</em> only; the event trigger's
/// signing secret value appears once, in <see cref="SigningSecret"/> of the response that generated it.
/// </summary>
public sealed record TriggerView(
    Guid Id,
    Guid AgentId,
    string Name,
    string Type,
    bool Active,
    DateTime? LastFiredAt,
    DateTime? NextFireAt,
    JsonElement Settings,
    string? WebhookPath
)
{
    /// <summary>Set only in the create (or rotate) response of an event trigger whose secret Skein generated.</summary>
    public string? SigningSecret { get; init; }

    public static TriggerView From(TriggerRow t) =>
        new(
            t.Id,
            t.AgentId,
            t.Name,
            t.Type,
            t.Active,
            t.LastFiredAt,
            t.Type == TriggerTypes.Scheduled ? t.NextFireAt : null,
            SkeinJson.Parse(t.Settings),
            t.Type == TriggerTypes.Event ? $"/hooks/{t.Id}" : null
        );
}
