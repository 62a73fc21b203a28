using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Skein.Server.Dashboard.Pages;

/// <summary>
/// The dashboard's 404 page (see <see cref="NotFoundPage"/>), always answered with status 404. A session URL with a
/// short id as the dashboard shows it (<c>/sessions/1a2b3c4d</c>) has its own page (<c>Sessions/ShortId</c>), which
/// comes here when no session, or more than one, matches.
/// </summary>
public sealed class NotFoundModel : PageModel
{
    /// <summary>Set in <see cref="HttpContext.Items"/> by the short-id page when more than one session matches.
    /// </summary>
    public const string AmbiguousShortId = "skein.short-id-ambiguous";

    public string Requested { get; private set; } = "";

    public string Heading { get; private set; } = "Page not found";

    public string Explanation { get; private set; } = "There is no page at this address.";

    public IActionResult OnGet()
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
        if (segments is ["sessions", ..])
        {
            Heading = "Session not found";
            Explanation = HttpContext.Items.ContainsKey(AmbiguousShortId)
                ? "More than one session's id ends with these digits: use more of them, or the full id."
                : "No session has this id. It may have been removed by retention, or the link is mistyped.";
        }

        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
