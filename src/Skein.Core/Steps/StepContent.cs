using System.Text.Json;
using System.Text.Json.Nodes;
using Skein.Core.Runs;
using Skein.Core.Sessions;

namespace Skein.Core.Steps;

/// <summary>
/// The full wire <c>content</c> of a step: its payload plus the envelope fields SPEC section 1 lists
/// (<c>session_id, run_id, tenant_id, agent_id, agent_version_id, event_id, sequence, step_kind, iteration</c>).
/// </summary>
public static class StepContent
{
    public static string ToJson(StepRecord step, SessionState session, RunState run)
    {
        var node = JsonSerializer.SerializeToNode<StepPayload>(step.Payload, SkeinJson.Options)!.AsObject();
        node["session_id"] = session.Id;
        node["run_id"] = run.Id;
        node["tenant_id"] = session.TenantId;
        node["agent_id"] = run.AgentId;
        node["agent_version_id"] = run.AgentVersionId;
        node["event_id"] = step.Id;
        node["sequence"] = step.Sequence;
        return node.ToJsonString(SkeinJson.Options);
    }

    public static StepPayload Parse(string json) =>
        JsonSerializer.Deserialize<StepPayload>(json, SkeinJson.Options)
        ?? throw new JsonException("empty step content");
}
