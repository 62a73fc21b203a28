using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Testing;

namespace Skein.Server.Tests.Access;

/// <summary>The audit log (SPEC section 10): every management write and operator action, with the real actor (the
/// user, and their token), the target, the outcome and a note; filtered and keyset-paged by <c>GET
/// /api/audit</c>.</summary>
public sealed class AuditLogTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task Configuration_writes_record_the_user_and_token_that_made_them()
    {
        var developer = await Members.CreateAsync(Server, "Developer");
        var name = "audited-" + Guid.NewGuid().ToString("N")[..8];
        var put = await developer.Client.PutAsJsonAsync($"/api/secrets/{name}", new { value = "s3cret" }, Ct);
        Assert.True(put.IsSuccessStatusCode, $"secret PUT answered {(int)put.StatusCode}");
        var deleted = await developer.Client.DeleteAsync($"/api/secrets/{name}", Ct);
        Assert.True(deleted.IsSuccessStatusCode);

        var entries = await EntriesAsync($"actor=operator:{developer.Email}");
        var set = Assert.Single(entries, e => e.GetProperty("action").GetString() == "secret.set" && Note(e) == name);
        Assert.StartsWith($"operator:{developer.Email}/token:", set.GetProperty("actor").GetString());
        Assert.Equal("succeeded", set.GetProperty("outcome").GetString());
        Assert.Single(entries, e => e.GetProperty("action").GetString() == "secret.deleted" && Note(e) == name);
    }

    [StoreFact]
    public async Task User_management_is_audited_with_its_target()
    {
        var member = await Members.CreateAsync(Server, "Viewer");
        await Admin.PutAsJsonAsync($"/api/users/{member.Id}", new { role = "Operator" }, Ct);

        var entries = await EntriesAsync($"target={member.Id}");
        Assert.Contains(entries, e => Action(e) == "user.created" && Actor(e) == "operator:admin");
        Assert.Contains(entries, e => Action(e) == "user.token_created");
        var updated = Assert.Single(entries, e => Action(e) == "user.updated");
        Assert.Contains("Viewer → Operator", Note(updated), StringComparison.Ordinal);
        Assert.All(entries, e => Assert.Equal("user", e.GetProperty("targetType").GetString()));
    }

    [StoreFact]
    public async Task Operator_actions_record_success_failure_and_refusal()
    {
        var operatorUser = await Members.CreateAsync(Server, "Operator");
        var demo = await Server.DemoAgentAsync();
        var started = await Admin.PostAsJsonAsync($"/api/agents/{demo.AgentId}/runs", new { input = new { } }, Ct);
        var sessionId = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sessionId").GetGuid();
        await Eventually.Get(
            () => Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}", Ct),
            s => s.GetProperty("session").GetProperty("status").GetString() is "Completed" or "Failed",
            what: "the demo session to finish"
        );

        // The session has finished: Terminate is refused (409) and recorded as failed, with why.
        var terminate = await operatorUser.Client.PostAsync($"/api/sessions/{sessionId}/terminate", null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, terminate.StatusCode);

        // A Viewer may not: 403, recorded as denied.
        var viewer = await Members.OfAsync(Server, "Viewer");
        var denied = await viewer.Client.PostAsync($"/api/sessions/{sessionId}/terminate", null, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        var entries = await EntriesAsync($"target={sessionId}");
        var failed = Assert.Single(entries, e => Action(e) == "session.terminated");
        Assert.Equal("failed", failed.GetProperty("outcome").GetString());
        Assert.StartsWith($"operator:{operatorUser.Email}/token:", Actor(failed));
        Assert.False(string.IsNullOrEmpty(Note(failed)));

        var refusals = await EntriesAsync($"actor=operator:{viewer.Email}");
        var refusal = Assert.Single(refusals, e => Action(e) == "denied:AdminTerminateSession");
        Assert.Equal("denied", refusal.GetProperty("outcome").GetString());
    }

    [StoreFact]
    public async Task An_answered_approval_is_audited_with_its_comment()
    {
        var operatorUser = await Members.CreateAsync(Server, "Operator");
        var agents = await Admin.GetFromJsonAsync<JsonElement>("/api/agents", Ct);
        var hitl = agents
            .GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "demo-hitl")
            .GetProperty("id")
            .GetGuid();
        var started = await Admin.PostAsJsonAsync($"/api/agents/{hitl}/runs", new { input = new { } }, Ct);
        var sessionId = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sessionId").GetGuid();
        var session = await Eventually.Get(
            () => Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}", Ct),
            s => s.GetProperty("tasks").GetArrayLength() > 0,
            what: "the approval task"
        );
        var taskId = session.GetProperty("tasks")[0].GetProperty("id").GetGuid();

        var answered = await operatorUser.Client.PostAsJsonAsync(
            $"/api/tasks/{taskId}/answer",
            new { approved = false, comment = "refund looks wrong" },
            Ct
        );
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);

        var entry = Assert.Single(await EntriesAsync($"target={taskId}"));
        Assert.Equal("user_task.rejected", Action(entry));
        Assert.Equal("refund looks wrong", Note(entry));
        Assert.StartsWith($"operator:{operatorUser.Email}", Actor(entry));
    }

    [StoreFact]
    public async Task Pages_follow_the_keyset_cursor_without_gaps_or_repeats()
    {
        var member = await Members.CreateAsync(Server, "Viewer");
        for (var i = 0; i < 3; i++)
        {
            await Admin.PutAsJsonAsync($"/api/users/{member.Id}", new { displayName = $"Name {i}" }, Ct);
        }

        var all = await EntriesAsync($"target={member.Id}");
        Assert.Equal(5, all.Count); // created, token created, three renames

        var seen = new List<long>();
        string? after = null;
        do
        {
            var page = await Admin.GetFromJsonAsync<JsonElement>(
                $"/api/audit?target={member.Id}&take=2" + (after is null ? "" : $"&after={after}"),
                Ct
            );
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
            after = page.GetProperty("next").GetString();
        } while (after is not null);

        Assert.Equal(all.Select(e => e.GetProperty("id").GetInt64()), seen);
        Assert.Equal(seen.OrderByDescending(i => i), seen);

        var bad = await Admin.GetAsync("/api/audit?take=0", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var future = await Admin.GetFromJsonAsync<JsonElement>(
            $"/api/audit?target={member.Id}&from={DateTime.UtcNow.AddDays(1):O}",
            Ct
        );
        Assert.Equal(0, future.GetProperty("items").GetArrayLength());
    }

    private async Task<List<JsonElement>> EntriesAsync(string query)
    {
        var page = await Admin.GetFromJsonAsync<JsonElement>($"/api/audit?{query}&take=200", Ct);
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    private static string? Action(JsonElement e) => e.GetProperty("action").GetString();

    private static string? Actor(JsonElement e) => e.GetProperty("actor").GetString();

    private static string Note(JsonElement e) => e.GetProperty("note").GetString() ?? "";
}
