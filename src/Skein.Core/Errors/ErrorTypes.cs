namespace Skein.Core;

/// <summary>One stable error type: its code (the problem <c>type</c> is <c>urn:skein:error:&lt;code&gt;</c>) and HTTP
/// status.</summary>
public sealed record ErrorType(string Code, int Status, string Title);

/// <summary>
/// The table of every error type Skein answers with. A code is never renamed or reused (clients match on it);
/// an unknown code maps to 400 so a missing entry can never turn a client mistake into a 500.
/// </summary>
public static class ErrorTypes
{
    public const string UrnPrefix = "urn:skein:error:";

    public static readonly IReadOnlyDictionary<string, ErrorType> All = new ErrorType[]
    {
        new("invalid_input", 400, "The request is not valid"),
        new("bad_request", 400, "The request could not be read"),
        new("egress_refused", 400, "The destination is not a public address (Skein:Egress:AllowPrivateNetworks)"),
        new("secret_bound_elsewhere", 400, "The secret belongs to another integration or provider"),
        new("subagent_not_startable", 400, "SubAgent agents are started by their parent agents only"),
        new("unauthorized", 401, "Missing or unknown credentials"),
        new("invalid_signature", 401, "The delivery signature does not match"),
        new("forbidden", 403, "The caller may not do this"),
        new("key_not_scoped", 403, "The API key is not scoped to this agent"),
        new("trigger_inactive", 403, "The trigger is not active"),
        new("ip_not_allowed", 403, "The caller's address is not in the trigger's allowlist"),
        new("file_uploads_not_allowed", 403, "The API key does not allow file uploads"),
        new("upload_url_invalid", 403, "The upload URL is invalid or has expired"),
        new("review_needs_operator", 403, "Anomaly reviews are answered by dashboard users, not API keys"),
        new("approval_needs_operator", 403, "The api trigger does not let API keys answer approvals"),
        new("cross_origin_refused", 403, "A dashboard-cookie write came from another origin"),
        new("not_found", 404, "Not found"),
        new("illegal_transition", 409, "The move is not allowed from the current status"),
        new("conflict", 409, "The request conflicts with the current state"),
        new("no_deployed_version", 409, "The agent has no deployed version"),
        new("task_closed", 409, "The user task is no longer pending"),
        new("idempotency_in_progress", 409, "A request with this Idempotency-Key is still being processed"),
        new("file_finalized", 409, "The file is finalized; its bytes cannot change"),
        new("file_not_uploaded", 409, "The file has no bytes yet"),
        new("payload_too_large", 413, "The body is too large"),
        new("file_too_large", 413, "The file is too large"),
        new("unsupported_media_type", 415, "The media type is not accepted"),
        new("rule_violation", 422, "A configuration rule refused the change"),
        new("rate_limited", 429, "Too many requests"),
        new("too_many_concurrent_runs", 429, "The trigger has as many unfinished sessions as it allows"),
        new("start_failed", 503, "The run could not be started; try again"),
        new("internal_error", 500, "An unexpected error occurred"),
    }.ToDictionary(t => t.Code, StringComparer.Ordinal);

    /// <summary>The type of <paramref name="code"/>, or an <c>invalid_input</c>-like 400 for a code not in the
    /// table.</summary>
    public static ErrorType Of(string code) =>
        All.TryGetValue(code, out var type) ? type : new ErrorType(code, 400, "The request was refused");

    public static string Urn(string code) => UrnPrefix + code;
}
