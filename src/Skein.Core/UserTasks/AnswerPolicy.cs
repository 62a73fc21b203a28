namespace Skein.Core.UserTasks;

/// <summary>Who is answering a user task: a dashboard user (or the admin token on <c>/api</c>), or an API key on
/// <c>/v1</c>.</summary>
public enum AnswerChannel
{
    Operator,
    ApiKey,
}

/// <summary>
/// Which user tasks a caller may answer. A guard <c>pause</c> review (<c>anomaly_review</c>) exists to stop the
/// caller's own run, so the key that started it must not approve it: only dashboard users (Operator or Admin)
/// answer reviews. Approvals stay answerable over <c>/v1</c> (clients embed them in their app) unless the api
/// trigger turned that off (<c>apiCanAnswerApprovals: false</c>).
/// </summary>
public sealed record AnswerPolicy(AnswerChannel Channel, bool ApiCanAnswerApprovals = true)
{
    public const string ReviewNeedsOperator = "review_needs_operator";
    public const string ApprovalNeedsOperator = "approval_needs_operator";

    public static readonly AnswerPolicy Operator = new(AnswerChannel.Operator);

    public static AnswerPolicy ApiKey(bool apiCanAnswerApprovals) => new(AnswerChannel.ApiKey, apiCanAnswerApprovals);

    /// <summary>
    /// The answer as this channel means it: on <c>/v1</c> an approval answered without <c>approved</c> is approved
    /// (SPEC section 4, Phrony's default); a dashboard user always decides explicitly.
    /// </summary>
    public UserTaskAnswer Complete(string kind, UserTaskAnswer answer) =>
        Channel == AnswerChannel.ApiKey && kind == UserTaskKinds.Approval && answer.Approved is null
            ? answer with
            {
                Approved = true,
            }
            : answer;

    /// <summary>Why this caller may not answer a task of <paramref name="kind"/>, or null when it may.</summary>
    public DomainError? Refuses(string kind) =>
        (Channel, kind) switch
        {
            (AnswerChannel.ApiKey, UserTaskKinds.AnomalyReview) => new DomainError(
                ReviewNeedsOperator,
                "an anomaly review is answered in the dashboard by an Operator or Admin, not with an API key"
            ),
            (AnswerChannel.ApiKey, UserTaskKinds.Approval) when !ApiCanAnswerApprovals => new DomainError(
                ApprovalNeedsOperator,
                "this agent's api trigger does not let API keys answer approvals (apiCanAnswerApprovals is false); "
                    + "answer it in the dashboard"
            ),
            _ => null,
        };
}
