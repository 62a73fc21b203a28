using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Skein.Core;
using Skein.Core.Events;
using Skein.Core.Sessions;
using Skein.Engine.Telemetry;
using Skein.Store.EventLog;
using Skein.Store.Leases;

namespace Skein.Engine.Sessions;

/// <summary>
/// The single way to change a session: load its state, decide (pure), append, all under the session's
/// lock so decisions never race inside this node. Running sessions stay cached (their driver is the writer); a
/// session waiting for a message, an answer or a timer is kept for a while in a bounded cache and brought up to date
/// from the store on each use (only the events after it), so a long conversation is not replayed from its first
/// event for every message. A finished session costs no memory here. A lost race with another node reloads and
/// decides again.
/// </summary>
public sealed class SessionCommands(EventLogReader reader, EventLogWriter writer, SkeinMetrics metrics) : IDisposable
{
    private const int Stripes = 1024;
    private const int MaxConflictRetries = 3;

    /// <summary>Events held by waiting sessions' cached states, all together (a state costs its event
    /// count).</summary>
    public const long WaitingCacheEvents = 200_000;

    /// <summary>A waiting session unused this long leaves the cache.</summary>
    public static readonly TimeSpan WaitingCacheIdle = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim[] _locks = [.. Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly ConcurrentDictionary<Guid, SessionState> _running = new();
    private readonly MemoryCache _waiting = new(new MemoryCacheOptions { SizeLimit = WaitingCacheEvents });

    public async Task<SessionState?> GetAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        if (_running.TryGetValue(sessionId, out var running))
        {
            return running;
        }

        if (_waiting.Get<SessionState>(sessionId) is not { } waiting)
        {
            var loaded = await reader.LoadAsync(sessionId, cancellationToken);
            if (loaded is not null)
            {
                RememberWaiting(loaded);
            }

            return loaded;
        }

        // Whatever was appended since (here or on another node) is read and folded on: the store stays the truth.
        var newer = await reader.ReadAfterAsync(sessionId, waiting.Version, cancellationToken);
        if (newer.Count == 0)
        {
            return waiting;
        }

        var current = waiting;
        foreach (var stored in newer)
        {
            current = SessionFold.Apply(current, stored.Event);
        }

        RememberWaiting(current);
        return current;
    }

    /// <summary>Appends a new session's first events (its start).</summary>
    public Task<SessionState> StartAsync(SessionChange start, CancellationToken cancellationToken) =>
        StartAsync(start, null, cancellationToken);

    /// <summary>As above, committing <paramref name="lease"/> (a new run's first lease) with the start.</summary>
    public async Task<SessionState> StartAsync(
        SessionChange start,
        RunLease? lease,
        CancellationToken cancellationToken
    )
    {
        var started = Stopwatch.GetTimestamp();
        await writer.AppendAsync(start, lease, cancellationToken);
        metrics.Committed(start.Events, started);
        Remember(start.Current);
        return start.Current;
    }

    public Task<CommandResult> ExecuteAsync(
        Guid sessionId,
        Action<SessionChange> decide,
        CancellationToken cancellationToken
    ) => ExecuteAsync(sessionId, decide, null, cancellationToken);

    /// <summary>
    /// As above, for a run driver: the append commits only while <paramref name="fence"/> holds, else
    /// <see cref="LeaseLostException"/> (another node took the run over; this node forgets the session).
    /// </summary>
    public async Task<CommandResult> ExecuteAsync(
        Guid sessionId,
        Action<SessionChange> decide,
        RunLease? fence,
        CancellationToken cancellationToken
    )
    {
        var gate = _locks[(sessionId.GetHashCode() & int.MaxValue) % Stripes];
        await gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var state = await GetAsync(sessionId, cancellationToken);
                if (state is null)
                {
                    return new CommandResult(null, DomainError.NotFound("session", sessionId), []);
                }

                var change = new SessionChange(state);
                decide(change);
                if (change.Rejected)
                {
                    return new CommandResult(state, change.Error, []);
                }

                var appendStarted = Stopwatch.GetTimestamp();
                try
                {
                    await writer.AppendAsync(change, fence, CancellationToken.None);
                }
                catch (StreamConflictException) when (attempt < MaxConflictRetries)
                {
                    Forget(sessionId);
                    continue;
                }
                catch (LeaseLostException)
                {
                    Forget(sessionId);
                    throw;
                }

                metrics.Committed(change.Events, appendStarted);
                Remember(change.Current);
                return new CommandResult(change.Current, null, change.Events);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => _waiting.Dispose();

    /// <summary>Drops the cached state of a session this node no longer drives (another node may change it).</summary>
    public void Forget(Guid sessionId)
    {
        _running.TryRemove(sessionId, out _);
        _waiting.Remove(sessionId);
    }

    private void Remember(SessionState state)
    {
        if (state.Status == SessionStatus.Running)
        {
            _running[state.Id] = state;
            _waiting.Remove(state.Id);
        }
        else
        {
            _running.TryRemove(state.Id, out _);
            RememberWaiting(state);
        }
    }

    /// <summary>
    /// Keeps a state read from the store only while it waits: a Running session read here may be driven by another
    /// node, so only this node's own commits make it the cached truth (<see cref="Remember"/>).
    /// </summary>
    private void RememberWaiting(SessionState state)
    {
        if (state.Status == SessionStatus.Running || SessionStatusMachine.IsTerminal(state.Status))
        {
            _waiting.Remove(state.Id);
            return;
        }

        _waiting.Set(
            state.Id,
            state,
            new MemoryCacheEntryOptions { Size = Math.Max(1, state.Version), SlidingExpiration = WaitingCacheIdle }
        );
    }
}

/// <summary>The state after a command (or before, when rejected), the error if any, and what was appended.</summary>
public sealed record CommandResult(
    SessionState? State,
    DomainError? Error,
    IReadOnlyList<Core.Events.SessionEvent> Events
)
{
    public bool Ok => Error is null;
}
