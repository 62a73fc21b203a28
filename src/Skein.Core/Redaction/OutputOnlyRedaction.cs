namespace Skein.Core.Redaction;

/// <summary>
/// What an API-key caller may see of a session whose api trigger hides the step timeline (SPEC
/// section 4): the outcome, not the work. The dashboard never applies these rules.
/// </summary>
public static class OutputOnlyRedaction
{
    public const string SubagentSpawnedSubject = "engine.subagent.spawned";

    /// <summary>
    /// Whether an API-key caller sees output only for a session, given its agent's api trigger settings (null when
    /// the agent has none). Then the session's <c>input</c> and <c>startContext</c> (which holds the instructions)
    /// are null wherever the session is shown (conversation and session list), and so are every run's
    /// <c>input</c>, <c>output</c> and <c>error</c> in the conversation.
    /// </summary>
    public static bool HidesWork(Triggers.ApiTriggerSettings? apiTrigger) =>
        apiTrigger is { ExposeStepTimeline: false };

    /// <summary>Conversation items kept: SessionCompleted, and RunCompleted of the root run only.</summary>
    public static bool KeepsConversationItem(string itemType, bool isRootRun) =>
        itemType == ConversationItemTypes.SessionCompleted
        || (itemType == ConversationItemTypes.RunCompleted && isRootRun);

    /// <summary>Stream events kept: session and run events, except the sub-agent spawn notice.</summary>
    public static bool KeepsStreamEvent(string kind, string subject) =>
        kind is StreamKinds.Session || (kind is StreamKinds.Run && subject != SubagentSpawnedSubject);
}

public static class ConversationItemTypes
{
    public const string RunCompleted = "RunCompleted";
    public const string SessionCompleted = "SessionCompleted";
}

/// <summary>The <c>kind</c> of a stream event (SPEC section 4).</summary>
public static class StreamKinds
{
    public const string Session = "session";
    public const string Run = "run";
    public const string Step = "step";
    public const string UserTask = "user_task";
    public const string Aitl = "aitl";
}
