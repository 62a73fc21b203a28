using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Guards;
using Skein.Core.Limits;
using Skein.Manifests.Planning;
using Skein.Store.Rows;

namespace Skein.Store.Manifests;

/// <summary>Reads a workspace's rows as the comparable specs of <see cref="WorkspaceState"/>, normalized exactly as the
/// planner writes them.</summary>
public static class WorkspaceStateLoader
{
    public static async Task<WorkspaceState> LoadAsync(
        SkeinDbContext db,
        Guid tenantId,
        CancellationToken cancellationToken
    )
    {
        var providers = await db.LlmProviders.Where(p => p.TenantId == tenantId).ToListAsync(cancellationToken);
        var integrations = await db.Integrations.Where(i => i.TenantId == tenantId).ToListAsync(cancellationToken);
        var operations = await db.Operations.Where(o => o.TenantId == tenantId).ToListAsync(cancellationToken);
        var agents = await db.Agents.Where(a => a.TenantId == tenantId).ToListAsync(cancellationToken);
        var versions = await db.AgentVersions.Where(v => v.TenantId == tenantId).ToListAsync(cancellationToken);
        var triggers = await db.Triggers.Where(t => t.TenantId == tenantId).ToListAsync(cancellationToken);

        var providerNames = providers.ToDictionary(p => p.Id, p => p.Name);
        var integrationNames = integrations.ToDictionary(i => i.Id, i => i.Name);
        var agentNames = agents.ToDictionary(a => a.Id, a => a.Name);
        return new WorkspaceState
        {
            Providers =
            [
                .. providers.Select(p => new Existing<ProviderSpec>(
                    p.Id,
                    new ProviderSpec(p.Name, p.Kind, string.IsNullOrEmpty(p.BaseUrl) ? null : p.BaseUrl)
                    {
                        PricesJson = Core.Usage.ModelPrices.Parse(p.Prices).ToJson(),
                    }
                )),
            ],
            Services = [.. integrations.Select(i => new Existing<ServiceSpec>(i.Id, Service(i)))],
            Operations =
            [
                .. operations
                    .Where(o => integrationNames.ContainsKey(o.IntegrationId))
                    .Select(o => new Existing<OperationSpec>(
                        o.Id,
                        new OperationSpec(
                            integrationNames[o.IntegrationId],
                            o.Name,
                            o.Description,
                            o.Method.ToUpperInvariant(),
                            o.Path,
                            ManifestMapping.Json(o.ArgumentsSchema),
                            o.RequireApproval,
                            o.Idempotent,
                            o.TimeoutSec,
                            o.ApprovalTimeoutSec
                        )
                    )),
            ],
            Agents =
            [
                .. agents.Select(a => new Existing<AgentSpec>(
                    a.Id,
                    new AgentSpec(a.Name, a.ExecutionMode, providerNames.GetValueOrDefault(a.LlmProviderId, ""))
                )),
            ],
            Versions =
            [
                .. versions
                    .Where(v => agentNames.ContainsKey(v.AgentId))
                    .Select(v => new ExistingVersion(
                        v.Id,
                        Version(v, agentNames[v.AgentId], agentNames),
                        v.State,
                        v.CreatedAt,
                        v.DeployedAt
                    )),
            ],
            Triggers =
            [
                .. triggers
                    .Where(t => agentNames.ContainsKey(t.AgentId))
                    .Select(t => new Existing<TriggerSpec>(
                        t.Id,
                        new TriggerSpec(
                            agentNames[t.AgentId],
                            t.Name,
                            t.Type,
                            t.Active,
                            TriggerSettingsJson.Normalize(t.Type, t.Settings)
                        )
                    )),
            ],
        };
    }

    private static ServiceSpec Service(IntegrationRow i) =>
        new(i.Name, i.BaseUrl, i.AuthType, i.AuthHeaderName, i.AuthSecretName);

    public static VersionSpec Version(
        AgentVersionRow v,
        string agentName,
        IReadOnlyDictionary<Guid, string>? agentNames = null
    ) =>
        new()
        {
            AgentName = agentName,
            Label = v.Label,
            Description = v.Description,
            Model = v.Model,
            Instructions = v.Instructions,
            Temperature = v.Temperature,
            TopP = v.TopP,
            TopK = v.TopK,
            InputSchema = ManifestMapping.Json(v.InputSchema),
            OutputSchema = ManifestMapping.Json(v.OutputSchema),
            Operations = ManifestMapping.OperationsJson(
                Read<List<string>>(v.Operations, JsonSerializerOptions.Default) ?? []
            ),
            Limits = JsonSerializer.Serialize(
                Read<RunLimits>(v.Limits, SkeinJson.Options) ?? new RunLimits(),
                SkeinJson.Options
            ),
            Conversation = v.Conversation,
            ConversationIdleTimeoutSec = v.ConversationIdleTimeoutSec,
            MidRunMessages = v.MidRunMessages,
            GuardRules = JsonSerializer.Serialize(
                Read<List<GuardRule>>(v.GuardRules, SkeinJson.Options) ?? [],
                SkeinJson.Options
            ),
            Script = JsonSerializer.Serialize(
                Read<List<ScriptTurn>>(v.Script, SkeinJson.Options) ?? [],
                SkeinJson.Options
            ),
            CanExecuteSubAgents = v.CanExecuteSubAgents,
            AllowedSubAgents = ManifestMapping.SubAgentsJson(
                (Read<List<Guid>>(v.AllowedSubAgents, SkeinJson.Options) ?? []).Select(id =>
                    agentNames?.GetValueOrDefault(id) ?? id.ToString()
                )
            ),
            SubAgentExecutionModel = v.SubAgentExecutionModel,
        };

    private static T? Read<T>(string json, JsonSerializerOptions options) =>
        string.IsNullOrWhiteSpace(json) ? default : JsonSerializer.Deserialize<T>(json, options);
}
