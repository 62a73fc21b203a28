namespace Skein.Core.Operators;

/// <summary>
/// Per-account lockout after failed sign-ins: the first <see cref="FreeFailures"/> consecutive failures cost
/// nothing; each further one locks the account for twice as long as the one before (from
/// <see cref="FirstLock"/> up to <see cref="LongestLock"/>). A successful sign-in starts over.
/// </summary>
public static class SignInBackoff
{
    public const int FreeFailures = 5;
    public static readonly TimeSpan FirstLock = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan LongestLock = TimeSpan.FromMinutes(15);

    /// <summary>How long the account stays locked after <paramref name="consecutiveFailures"/> failures.</summary>
    public static TimeSpan LockFor(int consecutiveFailures)
    {
        if (consecutiveFailures < FreeFailures)
        {
            return TimeSpan.Zero;
        }

        var doublings = Math.Min(consecutiveFailures - FreeFailures, 10);
        var lockFor = FirstLock * (1 << doublings);
        return lockFor < LongestLock ? lockFor : LongestLock;
    }
}
