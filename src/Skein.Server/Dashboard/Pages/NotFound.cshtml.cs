using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Pages;

/// <summary>
/// The dashboard's 404 page (see <see cref="NotFoundPage"/>), always answered with status 404. A session URL with a
/// short id as the dashboard shows it (<c>/sessions/1a2b3c4d</c>) is sent on to the session when it is unique.
/// </summary>
public sealed class NotFoundModel(SessionQueries sessions, ShortIds ids) : PageModel
{
    public string Requested { get; private set; } = "";

    public string Heading { get; private set; } = "Page not found";

    public string Explanation { get; private set; } = "There is no page at this address.";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var original = HttpContext.Features.Get<IStatusCodeReExecuteFeature>();
        Requested = original?.OriginalPath ?? Request.Path.Value ?? "";
        var status = original?.OriginalStatusCode ?? StatusCodes.Status404NotFound;
        if (status != StatusCodes.Status404NotFound)
        {
            // Any other error without a body that a browser met (e.g. 405) is said plainly, with its status.
            Heading = $"Something went wrong ({status})";
            Explanation = "The dashboard could not answer this request.";
            Response.StatusCode = status;
            return Page();
        }

        var segments = Requested.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["sessions", var id, ..])
        {
            if (
                User.Identity?.IsAuthenticated == true
                && ShortIds.Normalize(id) is { } hex
                && !Guid.TryParse(id, out _)
            )
            {
                var tenant = await sessions.DefaultTenantAsync(cancellationToken);
                var found = (await ids.FindAsync(tenant, hex, 2, cancellationToken))
                    .Where(m => m.Kind == "session")
                    .ToList();
                if (found is [var only])
                {
                    return Redirect($"/sessions/{only.Id}");
                }
            }

            Heading = "Session not found";
            Explanation = "No session has this id. It may have been removed by retention, or the link is mistyped.";
        }

        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
