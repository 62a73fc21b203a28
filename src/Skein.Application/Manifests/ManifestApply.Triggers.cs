using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Triggers;
using Skein.Manifests.Planning;
using Skein.Store;
using Skein.Store.Agents;
using Skein.Store.Rows;

namespace Skein.Application.Manifests;

public sealed partial class ManifestApply
{
    /// <summary>
    /// The manifest's trigger writes, inside the apply's transaction. The one place to point at the trigger service
    /// (<c>Skein.Application.Triggers.TriggerService</c>) so manifest triggers are validated and audited like the
    /// API's.
    /// </summary>
    private async Task WriteTriggersAsync(
        SkeinDbContext db,
        Guid tenantId,
        ManifestPlan plan,
        IReadOnlyDictionary<string, Guid> agentIds,
        CancellationToken cancellationToken
    )
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var t in plan.Triggers.Where(t => t.Action != ChangeAction.Unchanged))
        {
            TriggerRow row;
            if (t.ExistingId is { } id)
            {
                row = await db.Triggers.FirstAsync(x => x.Id == id, cancellationToken);
            }
            else
            {
                row = new TriggerRow
                {
                    Id = Ids.New(),
                    TenantId = tenantId,
                    AgentId = agentIds[t.Spec.AgentName],
                    Name = t.Spec.Name,
                    Type = t.Spec.Type,
                    CreatedAt = now,
                };
                db.Triggers.Add(row);
            }

            // A re-timed (or re-activated) schedule plans its next slot afresh by SchedulePlanner's rule: the schedule
            // service fills a null next_fire_at with the first slot after now, so an old slot never fires once more
            // under the new settings; an inactive trigger has no slot.
            if (
                t.Spec.Type == TriggerTypes.Scheduled
                && (
                    !t.Spec.Active
                    || SchedulePlanner.MustReplan(
                        t.ExistingId is null || row.Type != TriggerTypes.Scheduled
                            ? null
                            : TriggerQueries.Settings<ScheduledTriggerSettings>(row),
                        row.Active,
                        JsonSerializer.Deserialize<ScheduledTriggerSettings>(t.Spec.Settings, SkeinJson.Options)
                            ?? new ScheduledTriggerSettings(),
                        t.Spec.Active
                    )
                )
            )
            {
                row.NextFireAt = null;
            }

            row.Name = t.Spec.Name;
            row.Type = t.Spec.Type;
            row.Active = t.Spec.Active;
            row.Settings = t.Spec.Settings;
        }
    }
}
