using System.Collections.Concurrent;
using System.Diagnostics;
using Skein.Core;
using Skein.Core.Sessions;
using Skein.Engine.Telemetry;
using Skein.Store.EventLog;
using Skein.Store.Leases;

namespace Skein.Engine.Sessions;

/// <summary>
/// The single way to change a session: load its state, decide (pure), append, all under the session's
/// lock so decisions never race inside this node. Only Running sessions stay cached; a waiting or
/// finished session costs no memory here. A lost race with another node reloads and decides again.
/// </summary>
public sealed class SessionCommands(EventLogReader reader, EventLogWriter writer, SkeinMetrics metrics)
{
    private const int Stripes = 1024;
    private const int MaxConflictRetries = 3;

    private readonly SemaphoreSlim[] _locks = [.. Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly ConcurrentDictionary<Guid, SessionState> _running = new();

    public async Task<SessionState?> GetAsync(Guid sessionId, CancellationToken cancellationToken) =>
        _running.TryGetValue(sessionId, out var cached) ? cached : await reader.LoadAsync(sessionId, cancellationToken);

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
                    _running.TryRemove(sessionId, out _);
                    continue;
                }
                catch (LeaseLostException)
                {
                    _running.TryRemove(sessionId, out _);
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

    /// <summary>Drops the cached state of a session this node no longer drives (another node may change it).</summary>
    public void Forget(Guid sessionId) => _running.TryRemove(sessionId, out _);

    private void Remember(SessionState state)
    {
        if (state.Status == SessionStatus.Running)
        {
            _running[state.Id] = state;
        }
        else
        {
            _running.TryRemove(state.Id, out _);
        }
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
