namespace Skein.Application.Agents;

/// <summary>An agent with its live version, as the management API lists it.</summary>
public sealed record AgentSummary(
    Guid Id,
    string Name,
    string ExecutionMode,
    Guid? DeployedVersionId,
    string? VersionLabel,
    DateTime CreatedAt
);

/// <summary>An agent's own settings, for pages that show one agent.</summary>
public sealed record AgentView(
    Guid Id,
    Guid TenantId,
    string Name,
    string ExecutionMode,
    Guid LlmProviderId,
    DateTime CreatedAt
);

/// <summary>A new agent; <see cref="LlmProviderId"/> defaults to the workspace's <c>scripted</c> provider.</summary>
public sealed record NewAgent(string? Name, string? ExecutionMode, Guid? LlmProviderId);

/// <summary>What an execution-mode change answers (SPEC: <c>{id, executionMode}</c>).</summary>
public sealed record AgentMode(Guid Id, string ExecutionMode);
