using System.Collections.Concurrent;
using Skein.Core.Operators;

namespace Skein.Server.Dashboard.Auth;

/// <summary>
/// Consecutive failed sign-ins per account and the lock they earn (<see cref="SignInBackoff"/>). Kept in memory on
/// each node, only for names of real accounts, so it holds at most one entry per account; a restart forgets it.
/// </summary>
public sealed class SignInLockout(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset LockedUntil)> _accounts = new(
        StringComparer.Ordinal
    );

    /// <summary>How much longer the account is locked, or null when it may try.</summary>
    public TimeSpan? LockedFor(string account) =>
        _accounts.TryGetValue(account, out var state) && state.LockedUntil > time.GetUtcNow()
            ? state.LockedUntil - time.GetUtcNow()
            : null;

    public void Failed(string account)
    {
        var now = time.GetUtcNow();
        _accounts.AddOrUpdate(
            account,
            _ => (1, now + SignInBackoff.LockFor(1)),
            (_, s) => (s.Failures + 1, now + SignInBackoff.LockFor(s.Failures + 1))
        );
    }

    public void Succeeded(string account) => _accounts.TryRemove(account, out _);
}
