using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Pages.Sessions;

/// <summary>
/// A session URL with a short id, as the dashboard shows ids (<c>/sessions/1a2b3c4d</c>): redirects to the session
/// (query kept) when exactly one session's id ends with it, else the 404 page. Same rules as
/// <c>GET /api/ids/{shortId}</c>. A real route, so a signed-out visitor of a shared link signs in and lands on the
/// session; a full id takes the session view's own route, whose guid constraint wins over this one.
/// </summary>
public sealed class ShortIdModel(SessionQueries sessions, ShortIds ids) : PageModel
{
    [FromRoute(Name = "shortId")]
    public string ShortId { get; set; } = "";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (ShortIds.Normalize(ShortId) is not { } hex)
        {
            return NotFound();
        }

        var tenant = await sessions.DefaultTenantAsync(cancellationToken);
        var matches = await ids.FindAsync(tenant, hex, 2, cancellationToken);
        var found = matches.Where(m => m.Kind == "session").Select(m => m.Id).ToList();
        if (found.Count == 1)
        {
            return Redirect($"/sessions/{found[0]}{Request.QueryString}");
        }

        if (found.Count > 1)
        {
            HttpContext.Items[NotFoundModel.AmbiguousShortId] = true;
        }

        return NotFound();
    }
}
