namespace Skein.Core.Agents;

/// <summary>The rules of an agent itself (SPEC section 1): its name, its execution mode and when it may be
/// deleted.</summary>
public static class AgentRules
{
    public const int MaxNameLength = 200;

    public static DomainError? CheckName(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Any(char.IsControl)
            ? DomainError.Invalid($"name: 1 to {MaxNameLength} characters, not blank, no control characters")
            : null;

    /// <summary>The wire strings <c>Request</c>, <c>HITL</c>, <c>SubAgent</c>, case-sensitive.</summary>
    public static Result<ExecutionMode> ParseMode(string? text) =>
        text is not null && Enum.TryParse<ExecutionMode>(text, ignoreCase: false, out var mode) && Enum.IsDefined(mode)
            ? mode
            : DomainError.Invalid("executionMode: must be Request, HITL or SubAgent");

    /// <summary>A SubAgent is started only by its parent, so an agent with triggers cannot become one.</summary>
    public static DomainError? CheckModeChange(ExecutionMode to, bool hasTriggers) =>
        to == ExecutionMode.SubAgent && hasTriggers
            ? DomainError.Conflict("SubAgent agents have no triggers: remove the agent's triggers first")
            : null;

    /// <summary>An agent with a live version is serving callers: it is retracted before it can be deleted.</summary>
    public static DomainError? CheckDeletable(VersionLine? live) =>
        live is null
            ? null
            : DomainError.Conflict($"version {live.Label} is deployed: retract it before deleting the agent");
}
