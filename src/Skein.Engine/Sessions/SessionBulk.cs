using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Skein.Core.Sessions;
using Skein.Store.Audit;

namespace Skein.Engine.Sessions;

/// <summary>
/// Terminate or Mark complete on many sessions: each one goes through <see cref="SessionActions"/> exactly as a single
/// action would (its own decision, append and cancellation), many at a time so their appends share group commits.
/// Their audit entries are written together once the items are done (or the request is cancelled: every action that
/// happened is still recorded). Results come back in the order of the ids.
/// </summary>
public sealed partial class SessionBulk(SessionActions actions, AuditLog audit, ILogger<SessionBulk> logger)
{
    // Enough appends in flight to fill a group commit; the writer takes them in one transaction.
    private const int Parallelism = 64;

    public async Task<IReadOnlyList<BulkItemResult>> ApplyAsync(
        BulkAction action,
        IReadOnlyList<Guid> sessionIds,
        string actor,
        CancellationToken cancellationToken
    )
    {
        var ids = sessionIds.Distinct().ToList();
        var results = new BulkItemResult[ids.Count];
        var entries = new ConcurrentQueue<AuditEntry>();
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, ids.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    try
                    {
                        var (result, entry) = await actions.BulkItemAsync(action, ids[i], actor, token);
                        if (entry is not null)
                        {
                            entries.Enqueue(entry);
                        }

                        results[i] = BulkActions.Of(ids[i], result.Error);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        Log.ItemFailed(logger, ids[i], ex);
                        results[i] = new BulkItemResult(
                            ids[i],
                            BulkActions.Failed,
                            "internal error; see the server log"
                        );
                    }
                }
            );
        }
        finally
        {
            // Not cancelled with the request: the actions have committed.
            await audit.AppendManyAsync(entries, CancellationToken.None);
        }

        return results;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3661, Level = LogLevel.Warning, Message = "Bulk action on session {SessionId} failed")]
        public static partial void ItemFailed(ILogger logger, Guid sessionId, Exception exception);
    }
}
