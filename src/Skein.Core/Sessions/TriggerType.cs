namespace Skein.Core.Sessions;

/// <summary>How a session was started. Wire strings: <c>console</c>, <c>api</c>, <c>scheduled</c>,
/// <c>event</c>.</summary>
public enum TriggerType
{
    Console,
    Api,
    Scheduled,
    Event,
}

public static class TriggerTypeNames
{
    public static string ToWire(this TriggerType type) => type.ToString().ToLowerInvariant();

    public static bool TryParse(string? value, out TriggerType type) =>
        Enum.TryParse(value, ignoreCase: true, out type) && Enum.IsDefined(type);
}
