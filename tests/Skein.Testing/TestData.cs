using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Testing;

/// <summary>Writes workspaces, providers, agents and operations straight into a store, as the seeder would.</summary>
public static class TestData
{
    public static async Task<Guid> EnsureWorkspaceAsync(SkeinDbContext db, CancellationToken cancellationToken)
    {
        var ws = await db.Workspaces.OrderBy(w => w.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (ws is not null)
        {
            return ws.Id;
        }

        ws = new WorkspaceRow
        {
            Id = Ids.New(),
            Name = "default",
            CreatedAt = DateTime.UtcNow,
        };
        db.Workspaces.Add(ws);
        await db.SaveChangesAsync(cancellationToken);
        return ws.Id;
    }

    public static async Task<CreatedAgent> CreateAgentAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        AgentSpec spec,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await EnsureWorkspaceAsync(db, cancellationToken);
        var provider = new LlmProviderRow
        {
            Id = Ids.New(),
            TenantId = tenant,
            Name = "provider-" + Guid.NewGuid().ToString("N")[..8],
            Kind = spec.ProviderKind,
            BaseUrl = spec.ProviderBaseUrl,
            ApiKeySecretName = spec.ProviderApiKeySecretName,
            CreatedAt = DateTime.UtcNow,
        };
        var agent = new AgentRow
        {
            Id = Ids.New(),
            TenantId = tenant,
            Name = spec.Name,
            ExecutionMode = spec.Mode.ToString(),
            LlmProviderId = provider.Id,
            CreatedAt = DateTime.UtcNow,
        };
        var version = new AgentVersionRow
        {
            Id = Ids.New(),
            AgentId = agent.Id,
            TenantId = tenant,
            Label = "v1",
            State = spec.State.ToString(),
            Model = spec.Model,
            Instructions = spec.Instructions,
            InputSchema = spec.InputSchema,
            OutputSchema = spec.OutputSchema,
            Operations = JsonSerializer.Serialize(spec.Operations),
            Limits = JsonSerializer.Serialize(spec.Limits, SkeinJson.Options),
            Conversation = spec.Conversation == Core.Agents.ConversationMode.MultiTurn ? "multi_turn" : "single",
            ConversationIdleTimeoutSec = spec.ConversationIdleTimeoutSec,
            MidRunMessages = spec.MidRunMessages.ToWire(),
            Script = JsonSerializer.Serialize(spec.Script, SkeinJson.Options),
            GuardRules = spec.GuardRules,
            Description = spec.Description,
            CanExecuteSubAgents = spec.AllowedSubAgents.Count > 0,
            AllowedSubAgents = JsonSerializer.Serialize(spec.AllowedSubAgents),
            SubAgentExecutionModel = spec.SubAgentExecutionModel.ToString(),
            CreatedAt = DateTime.UtcNow,
        };
        db.AddRange(provider, agent, version);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedAgent(agent.Id, version.Id, tenant);
    }

    public static async Task AddOperationAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        OperationSpec spec,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await EnsureWorkspaceAsync(db, cancellationToken);

        // Operations of one service (same base URL and auth) share its integration, as configured ones do: a
        // secret is usable by one integration only.
        var integration = await db.Integrations.FirstOrDefaultAsync(
            i =>
                i.TenantId == tenant
                && i.BaseUrl == spec.BaseUrl
                && i.AuthType == spec.AuthType
                && i.AuthHeaderName == spec.AuthHeaderName
                && i.AuthSecretName == spec.AuthSecretName,
            cancellationToken
        )
            ?? db.Integrations.Add(
                new IntegrationRow
                {
                    Id = Ids.New(),
                    TenantId = tenant,
                    Name = "integration-" + spec.Name,
                    BaseUrl = spec.BaseUrl,
                    AuthType = spec.AuthType,
                    AuthHeaderName = spec.AuthHeaderName,
                    AuthSecretName = spec.AuthSecretName,
                }
            ).Entity;
        db.AddRange(
            new OperationRow
            {
                Id = Ids.New(),
                TenantId = tenant,
                IntegrationId = integration.Id,
                Name = spec.Name,
                Method = spec.Method,
                Path = spec.Path,
                Idempotent = spec.Idempotent,
                RequireApproval = spec.RequireApproval,
                TimeoutSec = spec.TimeoutSec,
                Description = spec.Name,
                ApprovalTimeoutSec = spec.ApprovalTimeoutSec,
                ArgumentsSchema = spec.ArgumentsSchema,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
    }

    public static async Task SetPlanLimitsAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        int maxActiveSessionSeconds,
        int agentWaitBudgetSeconds,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await EnsureWorkspaceAsync(db, cancellationToken);
        var ws = await db.Workspaces.FirstAsync(w => w.Id == tenant, cancellationToken);
        ws.MaxActiveSessionSeconds = maxActiveSessionSeconds;
        ws.AgentWaitBudgetSeconds = agentWaitBudgetSeconds;
        await db.SaveChangesAsync(cancellationToken);
    }
}
