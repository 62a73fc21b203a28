using Skein.Core.Events;

namespace Skein.Store.EventLog;

/// <summary>
/// A <see cref="StepDelta"/> as a session's subscribers share it: the first reader that encodes it for its wire keeps
/// the encoding here, so a piece of text is serialized once however many follow the session. The encoding lives
/// exactly as long as the piece (a weak table keyed by the piece did that with a GC handle per piece, which every
/// collection walked).
/// </summary>
public sealed class SharedDelta(StepDelta delta)
{
    private object? _encoded;

    public StepDelta Delta { get; } = delta;

    /// <summary>The delta as <paramref name="encode"/> makes it, made once: readers racing may each make it, and all
    /// get the first one kept.</summary>
    public T Encoded<T>(Func<StepDelta, T> encode)
        where T : class
    {
        if (Volatile.Read(ref _encoded) is T encoded)
        {
            return encoded;
        }

        var made = encode(Delta);
        return Interlocked.CompareExchange(ref _encoded, made, null) as T ?? made;
    }
}
