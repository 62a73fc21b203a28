using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Store.Sessions;

namespace Skein.Server.Api.Admin;

/// <summary>Short ids as the dashboard shows them (the last hex digits of an id): the CLI turns them into full
/// ids here, for sessions and user tasks.</summary>
public static class ShortIdEndpoints
{
    public static RouteGroupBuilder MapShortIdAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/ids/{shortId}", ResolveAsync)
            .WithName("AdminResolveShortId")
            .WithSummary("Sessions and user tasks whose id ends with the short id (at most two of each)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    public sealed record ShortIdList(IReadOnlyList<ShortIdMatch> Items);

    private static async Task<Results<Ok<ShortIdList>, ProblemHttpResult>> ResolveAsync(
        string shortId,
        SessionQueries sessions,
        ShortIds ids,
        CancellationToken cancellationToken
    )
    {
        if (ShortIds.Normalize(shortId) is not { } hex)
        {
            return Problems.Invalid(
                $"a short id is {ShortIds.MinLength} to 32 hex digits (the end of an id, as the dashboard shows it)"
            );
        }

        var tenant = await sessions.DefaultTenantAsync(cancellationToken);
        return TypedResults.Ok(new ShortIdList(await ids.FindAsync(tenant, hex, 2, cancellationToken)));
    }
}
