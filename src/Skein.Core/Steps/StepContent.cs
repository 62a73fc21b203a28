using System.Buffers;
using System.Text;
using System.Text.Json;
using Skein.Core.Runs;
using Skein.Core.Sessions;

namespace Skein.Core.Steps;

/// <summary>
/// The full wire <c>content</c> of a step: its payload plus the envelope fields SPEC section 1 lists
/// (<c>session_id, run_id, tenant_id, agent_id, agent_version_id, event_id, sequence, step_kind, iteration</c>).
/// The store keeps only the payload (<see cref="PayloadJson"/>): the envelope repeats the step's, run's and
/// session's own columns, and is added back when a step is read (<see cref="WithEnvelope"/>).
/// </summary>
public static class StepContent
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = SkeinJson.Options.Encoder };

    private const string SubAgentCallPrefix = "{\"step_kind\":\"" + StepType.SubAgentCall + "\"";

    public static string ToJson(StepRecord step, SessionState session, RunState run) =>
        WithEnvelope(PayloadJson(step.Payload), StepEnvelope.Of(step, session, run));

    /// <summary>The payload alone, as the store keeps it.</summary>
    public static string PayloadJson(StepPayload payload) => JsonSerializer.Serialize(payload, SkeinJson.Options);

    /// <summary>A stored payload with its envelope: <c>{payload…,envelope…}</c>.</summary>
    public static string WithEnvelope(string payloadJson, StepEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("session_id", envelope.SessionId);
            writer.WriteString("run_id", envelope.RunId);
            writer.WriteString("tenant_id", envelope.TenantId);
            if (!payloadJson.StartsWith(SubAgentCallPrefix, StringComparison.Ordinal))
            {
                // A SubAgentCall's own agent_id (the sub-agent, SPEC section 9) is the one its content keeps.
                writer.WriteString("agent_id", envelope.AgentId);
            }

            writer.WriteString("agent_version_id", envelope.AgentVersionId);
            writer.WriteString("event_id", envelope.StepId);
            writer.WriteNumber("sequence", envelope.Sequence);
            writer.WriteEndObject();
        }

        // "{payload}" + "{envelope}" -> "{payload,envelope}": the payload is never empty (it has step_kind).
        var payload = payloadJson.AsSpan().TrimEnd();
        var tail = Encoding.UTF8.GetString(buffer.WrittenSpan[1..]);
        return string.Concat(payload[..^1], ",", tail);
    }

    public static StepPayload Parse(string json) =>
        JsonSerializer.Deserialize<StepPayload>(json, SkeinJson.Options)
        ?? throw new JsonException("empty step content");
}

/// <summary>The ids a step's wire content carries besides its payload.</summary>
public readonly record struct StepEnvelope(
    Guid SessionId,
    Guid RunId,
    Guid TenantId,
    Guid AgentId,
    Guid AgentVersionId,
    Guid StepId,
    int Sequence
)
{
    public static StepEnvelope Of(StepRecord step, SessionState session, RunState run) =>
        new(session.Id, run.Id, session.TenantId, run.AgentId, run.AgentVersionId, step.Id, step.Sequence);
}
