using System.Text;
using System.Text.Encodings.Web;

namespace Skein.Server.Dashboard.Sessions;

/// <summary>
/// The markup of one sessions-table row. Rendered in C# so the page and the live feed send exactly the same
/// row; the ⋯ menu's buttons are wired by dashboard.js to the page's shared (antiforgery-protected) forms.
/// </summary>
public static class SessionRowHtml
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static string Render(SessionRowView row, DateTime now)
    {
        var id = row.Id.ToString();
        var b = new StringBuilder(900);
        b.Append("<tr id=\"s-")
            .Append(id)
            .Append("\" data-session=\"")
            .Append(id)
            .Append("\" data-status=\"")
            .Append(E(row.Status))
            .Append("\" data-agent=\"")
            .Append(row.AgentId)
            .Append("\">");
        b.Append(SelectCell(id));
        b.Append("<td data-label=\"Session\"><a class=\"mono\" href=\"/sessions/")
            .Append(id)
            .Append("\" title=\"")
            .Append(id)
            .Append("\">")
            .Append(Format.Short(row.Id))
            .Append("</a></td>");
        b.Append("<td data-label=\"Agent\"><a href=\"/agents/")
            .Append(row.AgentId)
            .Append("\">")
            .Append(E(row.AgentName))
            .Append("</a></td>");
        b.Append("<td data-label=\"Status\">")
            .Append(Badge(row.Status))
            .Append(ChildWaiting(row))
            .Append(FailedToolCall.Badge(row.FailedToolCalls))
            .Append("</td>");
        b.Append("<td data-label=\"Started\"><time datetime=\"")
            .Append(Format.Iso(row.StartedAt))
            .Append("\">")
            .Append(Format.Time(row.StartedAt))
            .Append("</time></td>");
        b.Append("<td data-label=\"Duration\"")
            .Append(row.FinishedAt is null ? " data-running-since=\"" + Format.Iso(row.StartedAt) + "\"" : "")
            .Append('>')
            .Append(Format.Duration(row.StartedAt, row.FinishedAt, now))
            .Append("</td>");
        b.Append("<td data-label=\"Tokens\" class=\"num\">").Append(Format.Tokens(row.Tokens)).Append("</td>");
        b.Append("<td data-label=\"Cost\" class=\"num\" data-cost>").Append(Format.Cost(row.CostUsd)).Append("</td>");
        b.Append("<td data-label=\"Trigger\">").Append(E(row.Trigger)).Append("</td>");
        b.Append("<td class=\"actions\">").Append(Menu(row)).Append("</td></tr>");
        return b.ToString();
    }

    /// <summary>Only a sub-agent run waits for its parent, so a WaitingForAITL session has a child waiting (the
    /// session status is derived from the whole run tree); a child waiting on a person is looked up with the
    /// row.</summary>
    private static string ChildWaiting(SessionRowView row) =>
        row.ChildWaitsOnPerson
            ? " <span class=\"chip\" data-child-waiting=\"person\" title=\"a sub-agent run waits on a person "
                + "(an approval or an escalated question)\">sub-agent waits on a person</span>"
        : row.Status == nameof(Core.Runs.RunStatus.WaitingForAITL)
            ? " <span class=\"chip\" data-child-waiting title=\"a sub-agent run waits for its parent agent\">"
                + "sub-agent waiting</span>"
        : "";

    /// <summary>The row's checkbox for bulk actions (Terminate, Mark complete).</summary>
    private static string SelectCell(string id) =>
        $"<td class=\"select\"><input type=\"checkbox\" data-select value=\"{id}\" "
        + $"aria-label=\"Select session {id}\" /></td>";

    /// <summary>A status badge: the human label (<see cref="StatusLabels"/>), the raw value as its tooltip.</summary>
    public static string Badge(string status) =>
        $"<span class=\"badge st-{E(status)}\" title=\"{E(status)}\">{E(StatusLabels.Of(status))}</span>";

    /// <summary>The ⋯ Session actions menu; Mark complete appears only when Core allows it.</summary>
    public static string Menu(SessionRowView row)
    {
        if (!row.CanTerminate)
        {
            return "";
        }

        var id = row.Id.ToString();
        var b = new StringBuilder();
        b.Append(
            "<details class=\"menu\"><summary aria-label=\"Session actions\" title=\"Session "
                + "actions\">⋯</summary><div class=\"menu-items\" role=\"menu\">"
        );
        if (row.CanMarkComplete)
        {
            b.Append("<button type=\"button\" role=\"menuitem\" data-action=\"complete\" data-session=\"")
                .Append(id)
                .Append("\">Mark complete</button>");
        }

        b.Append("<button type=\"button\" role=\"menuitem\" class=\"danger\" data-action=\"terminate\" data-session=\"")
            .Append(id)
            .Append("\">Terminate session</button>");
        b.Append("</div></details>");
        return b.ToString();
    }

    private static string E(string text) => Html.Encode(text);
}
