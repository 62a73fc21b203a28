using Microsoft.Extensions.Logging;
using Skein.Core.Sessions;

namespace Skein.Engine.Sessions;

/// <summary>
/// Terminate or Mark complete on many sessions: each one goes through <see cref="SessionActions"/> exactly as a single
/// action would (its own decision, append and cancellation), a few at a time so their appends share group commits.
/// Results come back in the order of the ids.
/// </summary>
public sealed partial class SessionBulk(SessionActions actions, ILogger<SessionBulk> logger)
{
    private const int Parallelism = 8;

    public async Task<IReadOnlyList<BulkItemResult>> ApplyAsync(
        BulkAction action,
        IReadOnlyList<Guid> sessionIds,
        string actor,
        CancellationToken cancellationToken
    )
    {
        var ids = sessionIds.Distinct().ToList();
        var results = new BulkItemResult[ids.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, ids.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                try
                {
                    var result = action switch
                    {
                        BulkAction.Terminate => await actions.TerminateAsync(ids[i], actor, token),
                        _ => await actions.MarkCompleteAsync(ids[i], actor, token),
                    };
                    results[i] = BulkActions.Of(ids[i], result.Error);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    Log.ItemFailed(logger, ids[i], ex);
                    results[i] = new BulkItemResult(ids[i], BulkActions.Failed, "internal error; see the server log");
                }
            }
        );
        return results;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3661, Level = LogLevel.Warning, Message = "Bulk action on session {SessionId} failed")]
        public static partial void ItemFailed(ILogger logger, Guid sessionId, Exception exception);
    }
}
