using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Store.Audit;

namespace Skein.Server.Api.Admin;

/// <summary>The audit log (SPEC section 10): who did what to which target, when, and how it ended.</summary>
public static class AuditAdminEndpoints
{
    public static RouteGroupBuilder MapAuditAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", ListAsync)
            .WithName("AdminListAudit")
            .WithSummary("Audit entries newest first, by actor, target and time range; keyset paging with 'after'")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    /// <summary>One audit entry: <c>target</c> is <c>&lt;type&gt;:&lt;id&gt;</c>; <c>note</c> names what changed,
    /// carries a comment, or says why the action failed.</summary>
    public sealed record AuditItem(
        long Id,
        DateTime At,
        string Actor,
        string Action,
        string TargetType,
        Guid TargetId,
        string Outcome,
        string Note
    );

    public sealed record AuditList(IReadOnlyList<AuditItem> Items, string? Next);

    private static async Task<Results<Ok<AuditList>, ProblemHttpResult>> ListAsync(
        string? actor,
        string? target,
        DateTimeOffset? from,
        DateTimeOffset? to,
        long? after,
        int? take,
        AuditLog audit,
        CancellationToken cancellationToken
    )
    {
        if (take is < 1 or > AuditLog.MaxTake)
        {
            return Problems.Invalid($"take is between 1 and {AuditLog.MaxTake}");
        }

        if (actor?.Length > 200 || target?.Length > 64)
        {
            return Problems.Invalid("actor has at most 200 characters and target at most 64");
        }

        var page = await audit.ListAsync(
            actor,
            target,
            from?.UtcDateTime,
            to?.UtcDateTime,
            after,
            take ?? 50,
            cancellationToken
        );
        return TypedResults.Ok(
            new AuditList(
                [
                    .. page.Items.Select(a => new AuditItem(
                        a.Id,
                        a.At,
                        a.Actor,
                        a.Action,
                        a.SubjectType,
                        a.SubjectId,
                        a.Outcome,
                        a.Detail
                    )),
                ],
                page.Next?.ToString(System.Globalization.CultureInfo.InvariantCulture)
            )
        );
    }
}
