namespace Skein.Core.Sessions;

/// <summary>The operator actions a bulk request applies to many sessions (SPEC section 10).</summary>
public enum BulkAction
{
    Terminate,
    Complete,
}

/// <summary>What one session of a bulk action came to: <c>done</c>, <c>skipped</c> (its state did not allow the
/// action any more, e.g. it finished meanwhile) or <c>failed</c> (unknown session, or an error).</summary>
public sealed record BulkItemResult(Guid SessionId, string Outcome, string? Reason = null);

public static class BulkActions
{
    /// <summary>At most this many sessions per request, by ids or by filter.</summary>
    public const int MaxSessions = 1000;

    public const string Done = "done";
    public const string Skipped = "skipped";
    public const string Failed = "failed";

    public static BulkAction? Parse(string? action) =>
        action switch
        {
            "terminate" => BulkAction.Terminate,
            "complete" => BulkAction.Complete,
            _ => null,
        };

    /// <summary>The outcome of one session's action from its refusal, if any: a state conflict is a skip (the
    /// session moved on), anything else a failure.</summary>
    public static BulkItemResult Of(Guid sessionId, DomainError? error) =>
        error switch
        {
            null => new(sessionId, Done),
            { Code: DomainErrorCodes.IllegalTransition or DomainErrorCodes.Conflict } => new(
                sessionId,
                Skipped,
                error.Message
            ),
            _ => new(sessionId, Failed, error.Message),
        };
}
