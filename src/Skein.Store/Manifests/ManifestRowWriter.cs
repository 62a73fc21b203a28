using System.Text.Json;
using Skein.Core;
using Skein.Core.Triggers;
using Skein.Manifests.Planning;
using Skein.Store.Agents;
using Skein.Store.Rows;

namespace Skein.Store.Manifests;

/// <summary>Copies planned specs onto rows (new or tracked). Ids of referenced rows are resolved by the
/// caller.</summary>
internal static class ManifestRowWriter
{
    public static void WriteProvider(LlmProviderRow row, ProviderSpec spec)
    {
        row.Name = spec.Name;
        row.Kind = spec.Kind;
        row.BaseUrl = spec.BaseUrl;
    }

    public static void WriteService(IntegrationRow row, ServiceSpec spec)
    {
        row.Name = spec.Name;
        row.BaseUrl = spec.BaseUrl;
        row.AuthType = spec.AuthType;
        row.AuthHeaderName = spec.AuthHeaderName;
        row.AuthSecretName = spec.AuthSecretName;
    }

    public static void WriteOperation(OperationRow row, OperationSpec spec, Guid integrationId)
    {
        row.IntegrationId = integrationId;
        row.Name = spec.Name;
        row.Description = spec.Description;
        row.Method = spec.Method;
        row.Path = spec.Path;
        row.ArgumentsSchema = spec.ArgumentsSchema;
        row.RequireApproval = spec.RequireApproval;
        row.Idempotent = spec.Idempotent;
        row.TimeoutSec = spec.TimeoutSec;
        row.ApprovalTimeoutSec = spec.ApprovalTimeoutSec;
    }

    public static void WriteAgent(AgentRow row, AgentSpec spec, Guid providerId)
    {
        row.Name = spec.Name;
        row.ExecutionMode = spec.ExecutionMode;
        row.LlmProviderId = providerId;
    }

    public static void WriteVersion(AgentVersionRow row, VersionSpec spec)
    {
        row.Label = spec.Label;
        row.Description = spec.Description;
        row.Model = spec.Model;
        row.Instructions = spec.Instructions;
        row.Temperature = spec.Temperature;
        row.TopP = spec.TopP;
        row.TopK = spec.TopK;
        row.InputSchema = spec.InputSchema;
        row.OutputSchema = spec.OutputSchema;
        row.Operations = spec.Operations;
        row.Limits = spec.Limits;
        row.Conversation = spec.Conversation;
        row.ConversationIdleTimeoutSec = spec.ConversationIdleTimeoutSec;
        row.GuardRules = spec.GuardRules;
        row.Script = spec.Script;
    }

    public static void WriteTrigger(TriggerRow row, TriggerSpec spec)
    {
        // A re-timed (or re-activated) schedule plans its next slot afresh by SchedulePlanner's rule: the schedule
        // service fills a null next_fire_at with the first slot after now, so an old slot never fires once more under
        // the new settings; an inactive trigger has no slot.
        if (
            spec.Type == TriggerTypes.Scheduled
            && (
                !spec.Active
                || SchedulePlanner.MustReplan(
                    row.Type == TriggerTypes.Scheduled ? TriggerQueries.Settings<ScheduledTriggerSettings>(row) : null,
                    row.Active,
                    JsonSerializer.Deserialize<ScheduledTriggerSettings>(spec.Settings, SkeinJson.Options) ?? new(),
                    spec.Active
                )
            )
        )
        {
            row.NextFireAt = null;
        }

        row.Name = spec.Name;
        row.Type = spec.Type;
        row.Active = spec.Active;
        row.Settings = spec.Settings;
    }
}
