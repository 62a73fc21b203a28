using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Events;
using Skein.Core.Steps;
using Skein.Store.Rows;

namespace Skein.Store.EventLog;

/// <summary>
/// How an event is kept in <c>session_events.data</c> and read back: the one home of that format. Each fact is stored
/// once. The data holds only what no column or row holds: not the type (the <c>type</c> column), time and actor
/// (<c>occurred_at</c>, <c>actor</c>), a session's start context and input (its <c>session_start_contexts</c> row),
/// a step (its <c>steps</c> row, found by the event's sequence), nor absent values. Reading puts them back, so the
/// fold sees the events exactly as they were appended. Data written before this format (the whole event with its
/// <c>$type</c>) is still read as it is.
/// </summary>
public static class StoredEvents
{
    private static readonly Dictionary<string, Type> Types = typeof(SessionEvent)
        .GetCustomAttributes<JsonDerivedTypeAttribute>()
        .ToDictionary(a => (string)a.TypeDiscriminator!, a => a.DerivedType);

    private static readonly JsonSerializerOptions Compact = new(SkeinJson.Options)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver().WithAddedModifier(KeptElsewhere),
    };

    public static string Data(SessionEvent e) => JsonSerializer.Serialize(e, e.GetType(), Compact);

    public static string StartContextJson(StartContext context) => JsonSerializer.Serialize(context, SkeinJson.Options);

    /// <summary>
    /// The event stored as <paramref name="data"/>. <paramref name="startContext"/> (the session's start context
    /// JSON) is asked for only for <c>session.started</c>; <paramref name="step"/> is the step row recorded at the
    /// event's sequence, if any.
    /// </summary>
    public static SessionEvent Read(
        string type,
        string data,
        string actor,
        DateTime occurredAt,
        Func<string> startContext,
        StepRow? step
    )
    {
        if (IsWhole(data))
        {
            return JsonSerializer.Deserialize<SessionEvent>(data, SkeinJson.Options)
                ?? throw new JsonException("empty event");
        }

        var read = (SessionEvent?)JsonSerializer.Deserialize(data, TypeOf(type), Compact)
            ?? throw new JsonException("empty event");
        read = read with { At = new DateTimeOffset(DateTime.SpecifyKind(occurredAt, DateTimeKind.Utc)), Actor = actor };
        return read switch
        {
            SessionStarted s => Started(
                s,
                JsonSerializer.Deserialize<StartContext>(startContext(), SkeinJson.Options)
                    ?? throw new JsonException("empty start context")
            ),
            StepAppended s => s with
            {
                Step = step is null
                    ? throw new InvalidOperationException($"no step row at {type} of the stream")
                    : new StepRecord(
                        step.Id,
                        step.RunId,
                        step.Sequence,
                        StepContent.Parse(step.Content),
                        step.TokensUsed,
                        step.Error,
                        new DateTimeOffset(DateTime.SpecifyKind(step.StartedAt, DateTimeKind.Utc)),
                        new DateTimeOffset(DateTime.SpecifyKind(step.FinishedAt, DateTimeKind.Utc))
                    ),
            },
            _ => read,
        };
    }

    /// <summary>
    /// The event as the store will read it back: its time and its step's times truncated to what the store keeps
    /// (<see cref="IStoreDialect.InstantPrecision"/>), so the events published live equal their later replay.
    /// </summary>
    public static SessionEvent AsRead(SessionEvent e, TimeSpan precision)
    {
        if (precision.Ticks <= 1)
        {
            return e;
        }

        var read = e with { At = Truncate(e.At, precision) };
        return read is StepAppended s
            ? s with
            {
                Step = s.Step with
                {
                    StartedAt = Truncate(s.Step.StartedAt, precision),
                    FinishedAt = Truncate(s.Step.FinishedAt, precision),
                },
            }
            : read;
    }

    private static DateTimeOffset Truncate(DateTimeOffset at, TimeSpan precision) =>
        at.AddTicks(-(at.UtcTicks % precision.Ticks));

    /// <summary>Whether reading this event needs its session's start context.</summary>
    public static bool NeedsStartContext(string type, string data) =>
        type == EventTypes.SessionStarted && !IsWhole(data);

    /// <summary>Data in the format before this one: the whole event, led by its type discriminator.</summary>
    private static bool IsWhole(string data) => data.StartsWith("{\"$type\"", StringComparison.Ordinal);

    /// <summary>A session's input is its start context's user input (the decider starts it so): kept once, in the
    /// context.</summary>
    private static SessionStarted Started(SessionStarted s, StartContext context) =>
        s with
        {
            StartContext = context,
            Input = context.UserInput,
        };

    private static Type TypeOf(string type) =>
        Types.TryGetValue(type, out var t) ? t : throw new JsonException($"unknown event type {type}");

    /// <summary>Leaves out of an event's data what its columns and rows keep, and what is computed.</summary>
    private static void KeptElsewhere(JsonTypeInfo type)
    {
        if (!type.Type.IsAssignableTo(typeof(SessionEvent)) || type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        string[] elsewhere =
        [
            "at",
            "actor",
            "type_name",
            "run_id_or_null",
            .. type.Type == typeof(SessionStarted) ? ["start_context", "input"] : Array.Empty<string>(),
            .. type.Type == typeof(StepAppended) ? ["step"] : Array.Empty<string>(),
        ];
        foreach (var property in type.Properties.Where(p => elsewhere.Contains(p.Name)).ToList())
        {
            type.Properties.Remove(property);
        }
    }
}
