using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Testing;

namespace Skein.Server.Tests.Polish;

/// <summary>A dashboard session URL with a short id, as the dashboard shows ids, reaches the session when exactly one
/// matches (same rules as <c>/api/ids/{shortId}</c>), through sign-in for a signed-out visitor of a shared link;
/// otherwise the browser gets the 404 page.</summary>
public sealed class ShortIdPageTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task A_short_session_url_redirects_to_the_session_or_shows_the_404_page()
    {
        var agent = await TestData.CreateAgentAsync(
            Server.Contexts,
            new AgentSpec { Script = [new Core.Agents.ScriptTurn { Text = "hi" }] },
            Ct
        );
        var started = await Admin.PostAsJsonAsync($"/api/agents/{agent.AgentId}/runs", new { input = new { } }, Ct);
        var sessionId = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sessionId").GetGuid();
        var cookies = await DashboardPages.SignedInCookiesAsync(Server);

        var shortId = sessionId.ToString("N")[^8..];
        var signedOut = await PageAsync($"/sessions/{shortId}", cookies: null);
        var shortUrl = await PageAsync($"/sessions/{shortId}?mode=advanced", cookies);
        var upper = await PageAsync($"/sessions/{sessionId.ToString("N")[^12..].ToUpperInvariant()}", cookies);
        var full = await PageAsync($"/sessions/{sessionId}", cookies);
        // No session ends with a run of zeros this long (ids are time-ordered with random tails), nor with 'nothex'.
        var unknown = await PageAsync("/sessions/000000000000", cookies);
        var malformed = await PageAsync("/sessions/nothex", cookies);

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Contains(
            "ReturnUrl=" + Uri.EscapeDataString($"/sessions/{shortId}"),
            signedOut.Headers.Location?.OriginalString,
            StringComparison.OrdinalIgnoreCase
        );
        Assert.Equal(HttpStatusCode.Redirect, shortUrl.StatusCode);
        Assert.Equal($"/sessions/{sessionId}?mode=advanced", shortUrl.Headers.Location?.OriginalString);
        Assert.Equal($"/sessions/{sessionId}", upper.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        foreach (var missing in new[] { unknown, malformed })
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("text/html", missing.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Session not found", await missing.Content.ReadAsStringAsync(Ct));
        }
    }

    private Task<HttpResponseMessage> PageAsync(string path, string? cookies) =>
        DashboardPages.GetAsync(Server, path, cookies);
}
