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

/// <summary>How a parent runs the sub-agent calls of one model turn (SPEC section 9). Wire strings
/// <c>Sequential</c> (the default: one call per turn) and <c>Parallel</c>.</summary>
public enum SubAgentExecutionModel
{
    Sequential,
    Parallel,
}
