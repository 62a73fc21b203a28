using System.Text.Json;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Events;

namespace Skein.Store.EventLog;

/// <summary>How an event is kept in <c>session_events.data</c> and read back: the one home of that format.</summary>
public static class StoredEvents
{
    public static string Data(SessionEvent e) => JsonSerializer.Serialize(e, SkeinJson.Options);

    public static string StartContextJson(StartContext context) => JsonSerializer.Serialize(context, SkeinJson.Options);

    public static SessionEvent Read(string data) =>
        JsonSerializer.Deserialize<SessionEvent>(data, SkeinJson.Options) ?? throw new JsonException("empty event");
}
