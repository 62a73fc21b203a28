using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Core.Users;
using Skein.Server.Dashboard.Auth;
using Skein.Store.Audit;
using Skein.Store.Rows;

namespace Skein.Server.Dashboard.Pages.Audit;

/// <summary>The audit log (every role reads it): filters by actor, target and time range in the URL, newest first,
/// paged by the last entry's id as <c>GET /api/audit</c> is.</summary>
[Requires(Capability.Read)]
public sealed class IndexModel(AuditLog audit) : PageModel
{
    public const int PageSize = 50;

    [FromQuery(Name = "actor")]
    public string? Actor { get; set; }

    [FromQuery(Name = "target")]
    public string? Target { get; set; }

    [FromQuery(Name = "from")]
    public DateTime? From { get; set; }

    [FromQuery(Name = "to")]
    public DateTime? To { get; set; }

    [FromQuery(Name = "after")]
    public long? After { get; set; }

    public IReadOnlyList<AuditRow> Entries { get; private set; } = [];

    public long? Next { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var page = await audit.ListAsync(
            Bound(Actor, 200),
            Bound(Target, 64),
            From is { } f ? DateTime.SpecifyKind(f, DateTimeKind.Utc) : null,
            To is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null,
            After,
            PageSize,
            cancellationToken
        );
        Entries = page.Items;
        Next = page.Next;
    }

    /// <summary>The URL of the next page, keeping the filters.</summary>
    public string NextUrl(long next) =>
        QueryString
            .Create(
                new Dictionary<string, string?>
                {
                    ["actor"] = Actor,
                    ["target"] = Target,
                    ["from"] = From?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
                    ["to"] = To?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
                    ["after"] = next.ToString(CultureInfo.InvariantCulture),
                }.Where(p => !string.IsNullOrEmpty(p.Value))
            )
            .ToUriComponent();

    private static string? Bound(string? value, int max) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim()[..Math.Min(value.Trim().Length, max)];
}
