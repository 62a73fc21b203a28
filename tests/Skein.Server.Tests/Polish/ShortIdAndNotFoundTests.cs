using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Testing;

namespace Skein.Server.Tests.Polish;

/// <summary>Short ids (the last hex digits the dashboard shows) resolve through the API, and a 404 is a page for
/// browsers and problem JSON for everyone else.</summary>
public sealed class ShortIdAndNotFoundTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task A_short_id_resolves_to_its_session_and_a_malformed_one_is_refused()
    {
        var agent = await TestData.CreateAgentAsync(
            Server.Contexts,
            new AgentSpec { Script = [new Core.Agents.ScriptTurn { Text = "hi" }] },
            Ct
        );
        var started = await Admin.PostAsJsonAsync($"/api/agents/{agent.AgentId}/runs", new { input = new { } }, Ct);
        var sessionId = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sessionId").GetGuid();

        var found = await Admin.GetFromJsonAsync<JsonElement>($"/api/ids/{sessionId.ToString("N")[^8..]}", Ct);
        var upper = await Admin.GetFromJsonAsync<JsonElement>(
            $"/api/ids/{sessionId.ToString("N")[^10..].ToUpperInvariant()}",
            Ct
        );
        var malformed = await Admin.GetAsync("/api/ids/not-hex!", Ct);

        var match = Assert.Single(found.GetProperty("items").EnumerateArray());
        Assert.Equal("session", match.GetProperty("kind").GetString());
        Assert.Equal(sessionId, match.GetProperty("id").GetGuid());
        Assert.Equal(sessionId, Assert.Single(upper.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
    }

    [StoreFact]
    public async Task A_browser_gets_the_404_page_while_api_clients_keep_problem_json()
    {
        using var browser = Server.CreateClient(new() { AllowAutoRedirect = false });
        using var page = new HttpRequestMessage(HttpMethod.Get, "/no-such-page");
        page.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        using var api = new HttpRequestMessage(HttpMethod.Get, $"/api/sessions/{Guid.NewGuid()}");
        api.Headers.Accept.ParseAdd("text/html");

        var html = await browser.SendAsync(page, Ct);
        var json = await browser.GetAsync("/no-such-page", Ct);
        var problem = await Admin.SendAsync(api, Ct);

        Assert.Equal(HttpStatusCode.NotFound, html.StatusCode);
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Page not found", await html.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.NotFound, json.StatusCode);
        Assert.NotEqual("text/html", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, problem.StatusCode);
        Assert.Equal("application/problem+json", problem.Content.Headers.ContentType?.MediaType);
    }
}
