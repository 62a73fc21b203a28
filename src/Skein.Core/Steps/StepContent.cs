using System.Buffers;
using System.Text;
using System.Text.Json;
using Skein.Core.Runs;
using Skein.Core.Sessions;

namespace Skein.Core.Steps;

/// <summary>
/// The full wire <c>content</c> of a step: its payload plus the envelope fields SPEC section 1 lists
/// (<c>session_id, run_id, tenant_id, agent_id, agent_version_id, event_id, sequence, step_kind, iteration</c>).
/// </summary>
public static class StepContent
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = SkeinJson.Options.Encoder };

    public static string ToJson(StepRecord step, SessionState session, RunState run)
    {
        // Built once per committed step: the payload's own JSON object and the envelope's, joined into one
        // object, instead of a JSON DOM that is built and then written out again.
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize<StepPayload>(writer, step.Payload, SkeinJson.Options);
        }

        var payloadLength = buffer.WrittenCount;
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("session_id", session.Id);
            writer.WriteString("run_id", run.Id);
            writer.WriteString("tenant_id", session.TenantId);
            writer.WriteString("agent_id", run.AgentId);
            writer.WriteString("agent_version_id", run.AgentVersionId);
            writer.WriteString("event_id", step.Id);
            writer.WriteNumber("sequence", step.Sequence);
            writer.WriteEndObject();
        }

        // "{payload}" + "{envelope}" -> "{payload,envelope}": the payload is never empty (it has step_kind).
        var written = buffer.WrittenSpan;
        var joined = new byte[written.Length - 1];
        written[..(payloadLength - 1)].CopyTo(joined);
        joined[payloadLength - 1] = (byte)',';
        written[(payloadLength + 1)..].CopyTo(joined.AsSpan(payloadLength));
        return Encoding.UTF8.GetString(joined);
    }

    public static StepPayload Parse(string json) =>
        JsonSerializer.Deserialize<StepPayload>(json, SkeinJson.Options)
        ?? throw new JsonException("empty step content");
}
