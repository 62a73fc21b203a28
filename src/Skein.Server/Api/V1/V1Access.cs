using Skein.Core.Redaction;
using Skein.Core.Triggers;
using Skein.Core.UserTasks;
using Skein.Server.Auth;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Sessions;

namespace Skein.Server.Api.V1;

/// <summary>Which runs an API key may see, and whether their timeline is hidden from it.</summary>
public sealed class V1Access(SessionQueries sessions, TriggerQueries triggers)
{
    /// <summary>The run and its session, or null when unknown or outside the key's (agent, trigger) pairs (both answer
    /// 404).</summary>
    public async Task<(RunRow Run, SessionRow Session)?> RunAsync(
        ApiCaller caller,
        Guid runId,
        CancellationToken cancellationToken
    )
    {
        var found = await sessions.RunWithSessionAsync(runId, cancellationToken);
        return
            found is { } f
            && f.Session.TenantId == caller.TenantId
            && caller.CanReadSession(f.Session.AgentId, f.Session.TriggerId)
            ? f
            : null;
    }

    /// <summary>Output-only: the agent's api trigger turned the step timeline off for API clients.</summary>
    public async Task<bool> HidesTimelineAsync(Guid agentId, CancellationToken cancellationToken) =>
        OutputOnlyRedaction.HidesWork(await ApiSettingsAsync(agentId, cancellationToken));

    /// <summary>Which user tasks of the agent's sessions an API key may answer (its api trigger's
    /// <c>apiCanAnswerApprovals</c>).</summary>
    public async Task<AnswerPolicy> AnswerPolicyAsync(Guid agentId, CancellationToken cancellationToken) =>
        AnswerPolicy.ApiKey((await ApiSettingsAsync(agentId, cancellationToken))?.ApiCanAnswerApprovals ?? true);

    private async Task<ApiTriggerSettings?> ApiSettingsAsync(Guid agentId, CancellationToken cancellationToken) =>
        await triggers.ApiTriggerAsync(agentId, cancellationToken) is { } trigger
            ? TriggerQueries.ApiSettings(trigger)
            : null;
}
