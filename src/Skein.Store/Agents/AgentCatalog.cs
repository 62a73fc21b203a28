using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Store.Rows;

namespace Skein.Store.Agents;

/// <summary>Resolves what a run will execute: the agent, a version (Deployed unless named) and its provider.</summary>
public sealed class AgentCatalog(IDbContextFactory<SkeinDbContext> contexts)
{
    public const string NoDeployedVersion = "no_deployed_version";

    public async Task<ResolvedVersion> ResolveAsync(Guid agentId, Guid? versionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken)
            ?? throw new DomainException(DomainError.NotFound("agent", agentId));

        var versions = db.AgentVersions.AsNoTracking().Where(v => v.AgentId == agentId);
        var version = versionId is { } id
            ? await versions.FirstOrDefaultAsync(v => v.Id == id, cancellationToken)
                ?? throw new DomainException(DomainError.NotFound("agent version", id))
            : await versions.FirstOrDefaultAsync(v => v.State == nameof(VersionState.Deployed), cancellationToken)
                ?? throw new DomainException(new DomainError(NoDeployedVersion, $"agent '{agent.Name}' has no deployed version"));

        var provider = await db.LlmProviders.AsNoTracking().FirstOrDefaultAsync(p => p.Id == agent.LlmProviderId, cancellationToken)
            ?? throw new DomainException(DomainError.NotFound("llm provider", agent.LlmProviderId));

        return new ResolvedVersion(agent, version, provider, ToSnapshot(agent, version, provider));
    }

    public async Task<LlmProviderRow> ProviderAsync(Guid providerId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.LlmProviders.AsNoTracking().FirstOrDefaultAsync(p => p.Id == providerId, cancellationToken)
            ?? throw new DomainException(DomainError.NotFound("llm provider", providerId));
    }

    public static VersionSnapshot ToSnapshot(AgentRow agent, AgentVersionRow version, LlmProviderRow provider) => new()
    {
        AgentId = agent.Id,
        AgentName = agent.Name,
        ExecutionMode = Enum.Parse<ExecutionMode>(agent.ExecutionMode),
        AgentVersionId = version.Id,
        VersionLabel = version.Label,
        LlmProviderId = provider.Id,
        ProviderKind = provider.Kind,
        Model = version.Model,
        Instructions = version.Instructions,
        Temperature = version.Temperature,
        TopP = version.TopP,
        TopK = version.TopK,
        InputSchema = version.InputSchema is null ? null : SkeinJson.Parse(version.InputSchema),
        OutputSchema = version.OutputSchema is null ? null : SkeinJson.Parse(version.OutputSchema),
        Operations = JsonSerializer.Deserialize<List<string>>(version.Operations, SkeinJson.Options) ?? [],
        Limits = JsonSerializer.Deserialize<RunLimits>(version.Limits, SkeinJson.Options) ?? new RunLimits(),
        Conversation = version.Conversation == "multi_turn" ? ConversationMode.MultiTurn : ConversationMode.Single,
        ConversationIdleTimeout = TimeSpan.FromSeconds(version.ConversationIdleTimeoutSec),
        Script = JsonSerializer.Deserialize<List<ScriptTurn>>(version.Script, SkeinJson.Options) ?? [],
        GuardRules = JsonSerializer.Deserialize<List<Core.Guards.GuardRule>>(version.GuardRules, SkeinJson.Options) ?? [],
    };
}

public sealed record ResolvedVersion(AgentRow Agent, AgentVersionRow Version, LlmProviderRow Provider, VersionSnapshot Snapshot);
