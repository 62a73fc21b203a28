using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
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

    // One writer per thread, reset for each delta: a writer and buffer made per delta (the buffer grown twice by the
    // writer) were a quarter of what the server allocated while 200 answers streamed, and their collections a share of
    // the deltas' tail latency.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_deltaBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_deltaJson;

    /// <summary>A buffer grown past this by a long piece is dropped after use: a thread keeps no large one.</summary>
    private const int KeptDeltaBuffer = 16 * 1024;

    private static byte[] DeltaJson(StepDelta delta)
    {
        var buffer = t_deltaBuffer ??= new ArrayBufferWriter<byte>(1024);
        var json = t_deltaJson ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        json.Reset(buffer);

        // The same round-trip ("O") text as a stored event's ts, formatted straight to UTF-8.
        Span<byte> ts = stackalloc byte[64];
        delta.At.UtcDateTime.TryFormat(ts, out var tsLength, "O", CultureInfo.InvariantCulture);
        json.WriteStartObject();
        json.WriteString("ts"u8, ts[..tsLength]);
        json.WriteString("kind"u8, StepDelta.Kind);
        json.WriteString("subject"u8, StepDelta.Subject);
        json.WriteStartObject("data"u8);
        json.WriteString("runId"u8, delta.RunId);
        json.WriteNumber("iteration"u8, delta.Iteration);
        json.WriteNumber("index"u8, delta.Index);
        json.WriteString("text"u8, delta.Text);
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();

        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > KeptDeltaBuffer)
        {
            t_deltaBuffer = null;
            t_deltaJson = null;
        }

        return bytes;
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
