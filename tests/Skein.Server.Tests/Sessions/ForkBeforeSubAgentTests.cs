using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Skein.Server.Tests.Polish;
using Skein.Testing;

namespace Skein.Server.Tests.Sessions;

/// <summary>Fork on a multi-agent session (SPEC sections 9 and 10): a fork copies the root run only, so it may start
/// from any forkable step before the root run's first sub-agent step (no child state to copy) and then dispatches its
/// own child; from that step on it is refused with why and which steps can be forked from, and the session view offers
/// "Fork from here" only on the steps the server accepts.</summary>
public sealed partial class ForkBeforeSubAgentTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task A_fork_starts_before_the_first_sub_agent_call_and_the_view_offers_only_those_steps()
    {
        var agents = await Admin.GetFromJsonAsync<JsonElement>("/api/agents", Ct);
        var team = agents
            .GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "demo-team")
            .GetProperty("id")
            .GetGuid();
        var started = await Admin.PostAsJsonAsync($"/api/agents/{team}/runs", new { input = new { } }, Ct);
        var source = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sessionId").GetGuid();
        var detail = await SessionAsync(source, "Completed");
        var root = detail.GetProperty("session").GetProperty("rootRunId").GetGuid();
        var steps = detail
            .GetProperty("steps")
            .EnumerateArray()
            .Where(s => s.GetProperty("runId").GetGuid() == root)
            .Select(s => (Type: s.GetProperty("type").GetString()!, Seq: s.GetProperty("eventSequence").GetInt64()))
            .ToList();
        var firstCall = steps.First(s => s.Type == "SubAgentCall").Seq;
        string[] forkable = ["llm_request_prepared", "reasoning", "ToolResult", "user_message"];
        var before = steps.Last(s => s.Seq < firstCall && forkable.Contains(s.Type)).Seq;
        var after = steps.Last(s => forkable.Contains(s.Type)).Seq;
        Assert.True(after > firstCall, "the demo's root run has a forkable step after its sub-agent work");

        var fork = await Admin.PostAsJsonAsync($"/api/sessions/{source}/fork", new { fromSequence = before }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, fork.StatusCode);
        var forkedId = (await fork.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sessionId").GetGuid();
        var forked = await SessionAsync(forkedId, "Completed", "Failed");
        Assert.Equal("Completed", forked.GetProperty("session").GetProperty("status").GetString());
        Assert.Contains(forked.GetProperty("runs").EnumerateArray(), r => r.GetProperty("depth").GetInt32() == 1);
        Assert.Contains(forked.GetProperty("steps").EnumerateArray(), s =>
            s.GetProperty("type").GetString() == "SubAgentCall"
        );

        var refused = await Admin.PostAsJsonAsync($"/api/sessions/{source}/fork", new { fromSequence = after }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var why = (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString() ?? "";
        Assert.Contains("first sub-agent step", why, StringComparison.Ordinal);
        Assert.Contains($"before eventSequence {firstCall}", why, StringComparison.Ordinal);

        var cookies = await DashboardPages.SignedInCookiesAsync(Server);
        var page = await DashboardPages.GetAsync(Server, $"/sessions/{source}?mode=advanced", cookies);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var offered = ForkButton()
            .Matches(await page.Content.ReadAsStringAsync(Ct))
            .Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.Contains(before, offered);
        Assert.All(offered, seq =>
            Assert.True(seq < firstCall, $"Fork from here on event {seq}, after sub-agent work")
        );
    }

    private Task<JsonElement> SessionAsync(Guid sessionId, params string[] statuses) =>
        Eventually.Get(
            () => Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}", Ct),
            s => statuses.Contains(s.GetProperty("session").GetProperty("status").GetString()),
            what: $"session {sessionId} to reach {string.Join("|", statuses)}"
        );

    [GeneratedRegex(@"data-fork=""(\d+)""")]
    private static partial Regex ForkButton();
}
