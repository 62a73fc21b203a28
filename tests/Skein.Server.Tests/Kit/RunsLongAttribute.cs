namespace Skein.Server.Tests;

/// <summary>
/// Marks a test class (or a collection definition) that runs long, with its rough duration in seconds inside the
/// whole suite on a two-core machine (both stores). <see cref="LongestFirstFramework"/> starts such collections first.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RunsLongAttribute(int seconds) : Attribute
{
    public int Seconds { get; } = seconds;

    /// <summary>How many of the run's slots the collection takes (default 1). The suite runs two collections per
    /// core because most wait far more than they compute (scripted model delays, timers, polls); a collection that
    /// keeps a core busy by itself (server processes killed and started again, hundreds of runs) takes 2, so such
    /// collections never run more than one per core.</summary>
    public int Slots { get; init; } = 1;
}
