namespace Skein.Server.Tests;

/// <summary>
/// Marks a test class (or a collection definition) that runs long, with its rough duration in seconds inside the
/// whole suite on a two-core machine (both stores). <see cref="LongestFirstFramework"/> starts such collections first.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RunsLongAttribute(int seconds) : Attribute
{
    public int Seconds { get; } = seconds;
}
