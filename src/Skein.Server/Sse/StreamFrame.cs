using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Skein.Core.Events;
using Skein.Store.EventLog;

namespace Skein.Server.Sse;

/// <summary>
/// One stored event as the data of an SSE item, <c>{ts, kind, subject, data}</c> in UTF-8 JSON, with the kind and
/// subject that redaction and end-of-stream decisions need. A frame depends only on the event, so events shared
/// through the notifier's tail are serialized once for all their subscribers.
/// </summary>
public sealed record StreamFrame(string Kind, string Subject, byte[] Json)
{
    /// <summary>The item's id (the event's sequence) as sent, formatted once with the frame.</summary>
    public required string Id { get; init; }

    // Keyed by the shared event instance: an entry lives exactly as long as the tail still holds the event.
    private static readonly ConditionalWeakTable<StoredEvent, StreamFrame> Shared = new();

    /// <summary>The frame of an event that other subscribers of the session may send too.</summary>
    public static StreamFrame Share(Guid sessionId, StoredEvent stored) =>
        Shared.TryGetValue(stored, out var frame) ? frame : Shared.GetOrAdd(stored, Create(sessionId, stored));

    public static StreamFrame Create(Guid sessionId, StoredEvent stored)
    {
        var view = StreamEventMapping.Map(sessionId, stored.Event);

        // The id again in the JSON: the Phrony client drops SSE id: lines and resumes from data.sequence.
        view.Data["sequence"] = stored.Sequence;
        return new StreamFrame(view.Kind, view.Subject, Encoding.UTF8.GetBytes(Text(view)))
        {
            Id = stored.Sequence.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// A <see cref="StepDelta"/> as the data of an SSE item, <c>{ts, kind: "step", subject: "engine.step.delta",
    /// data: {runId, iteration, index, text}}</c>, serialized once for all the session's subscribers.
    /// </summary>
    public static byte[] Delta(SharedDelta shared) => shared.Encoded(DeltaJson);

    private static byte[] DeltaJson(StepDelta delta)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128 + delta.Text.Length * 2);
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ts", delta.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("kind", StepDelta.Kind);
            json.WriteString("subject", StepDelta.Subject);
            json.WriteStartObject("data");
            json.WriteString("runId", delta.RunId);
            json.WriteNumber("iteration", delta.Iteration);
            json.WriteNumber("index", delta.Index);
            json.WriteString("text", delta.Text);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string Text(StreamEventView view)
    {
        var json = new JsonObject
        {
            ["ts"] = view.Ts.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["kind"] = view.Kind,
            ["subject"] = view.Subject,
            ["data"] = view.Data,
        };
        return json.ToJsonString();
    }
}

/// <summary>The JSON of one session stream event (what <see cref="StreamFrame.Text"/> writes), for the API
/// description.</summary>
public sealed record StreamEvent(DateTimeOffset Ts, string Kind, string Subject, System.Text.Json.JsonElement Data);
