namespace Skein.Core.Agents;

/// <summary>Wire strings: <c>Request</c>, <c>HITL</c>, <c>SubAgent</c> (SPEC section 1).</summary>
public enum ExecutionMode
{
    Request,
    HITL,
    SubAgent,
}

public enum VersionState
{
    Testing,
    Deployed,
    Archived,
}

/// <summary><c>single</c>: a run completes after its output. <c>multi_turn</c>: it waits for the next user
/// message.</summary>
public enum ConversationMode
{
    Single,
    MultiTurn,
}
