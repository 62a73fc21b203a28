using System.Net.Http.Json;
using System.Text.Json;
using Skein.Server.Tests.Crash;

namespace Skein.Server.Tests.Manifests;

/// <summary>The shipped samples apply cleanly and run end to end with the scripted model; exports survive a fresh
/// database.</summary>
[RunsLong(28)]
public sealed class SampleManifestTests
{
    [StoreFact]
    public async Task The_request_sample_calls_its_http_operation_and_completes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OperationReceiver.StartAsync(ct);
        await using var factory = await SkeinApiFactory.FreshAsync();
        var admin = factory.CreateAdminClient();

        var changes = await ManifestClient.ChangesAsync(
            await ManifestClient.ApplyAsync(
                admin,
                ManifestClient.Sample("request-agent.yaml"),
                values: $"orders_base_url: {receiver.BaseUrl}\n"
            )
        );
        var agentId = (await ManifestClient.AgentIdAsync(admin, "order-status"))!.Value;

        // Started the way clients start it: through the manifest's api trigger with a key scoped to it.
        var trigger = (await admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/triggers", ct))
            .GetProperty("items")
            .EnumerateArray()
            .Single();
        Assert.Equal(60, trigger.GetProperty("settings").GetProperty("rpm_limit").GetInt32());
        var key = await admin.PostAsJsonAsync(
            "/api/keys",
            new
            {
                name = "orders-ci",
                scopes = new[] { new { agentId, triggerId = trigger.GetProperty("id").GetGuid() } },
            },
            ct
        );
        var secret = (await key.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("secret").GetString()!;
        var api = factory.CreateApiClient(secret);
        var started = await api.PostAsJsonAsync(
            $"/v1/agents/{agentId}/runs",
            new { input = new { orderId = "A-1001" } },
            ct
        );
        Assert.Equal(System.Net.HttpStatusCode.Accepted, started.StatusCode);
        var sessionId = (await started.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("sessionId").GetGuid();
        var session = await ManifestClient.WaitForSessionAsync(admin, sessionId, "Completed");

        Assert.Contains(("operation", "orders/lookup_order", "create"), changes);
        Assert.Equal("Completed", session.GetProperty("session").GetProperty("status").GetString());
        var call = Assert.Single(receiver.Calls);
        Assert.Equal(("POST", "/orders/lookup"), (call.Method, call.Path));
        Assert.Contains("A-1001", call.Body);
        Assert.Contains("shipped", session.GetProperty("session").GetProperty("output").GetRawText());
        Assert.Equal("api", session.GetProperty("session").GetProperty("triggerType").GetString());
    }

    [StoreFact]
    public async Task The_hitl_sample_waits_for_approval_then_calls_its_operation()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OperationReceiver.StartAsync(ct);
        await using var factory = await SkeinApiFactory.FreshAsync();
        var admin = factory.CreateAdminClient();

        await ManifestClient.ChangesAsync(
            await ManifestClient.ApplyAsync(
                admin,
                ManifestClient.Sample("hitl-agent.yaml"),
                values: $"payments_base_url: {receiver.BaseUrl}\n"
            )
        );
        var agentId = (await ManifestClient.AgentIdAsync(admin, "refunds"))!.Value;
        var sessionId = await ManifestClient.StartAsync(admin, agentId, new { });
        await ManifestClient.WaitForSessionAsync(admin, sessionId, "WaitingForHITL");
        Assert.Empty(receiver.Calls);

        var tasks = await admin.GetFromJsonAsync<JsonElement>("/api/tasks?status=Pending", ct);
        var task = tasks
            .GetProperty("items")
            .EnumerateArray()
            .Single(t => t.GetProperty("sessionId").GetGuid() == sessionId);
        Assert.Equal("approval", task.GetProperty("kind").GetString());
        var answer = await admin.PostAsJsonAsync(
            $"/api/tasks/{task.GetProperty("id").GetGuid()}/answer",
            new { approved = true },
            ct
        );
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync(ct));
        var session = await ManifestClient.WaitForSessionAsync(admin, sessionId, "Completed");

        Assert.Equal("Completed", session.GetProperty("session").GetProperty("status").GetString());
        Assert.Equal("/refunds", Assert.Single(receiver.Calls).Path);
    }

    [StoreTheory]
    [InlineData("request-agent.yaml", "orders_base_url: http://127.0.0.1:9/", "order-status")]
    [InlineData("hitl-agent.yaml", "payments_base_url: http://127.0.0.1:9/", "refunds")]
    public async Task Export_then_apply_on_a_fresh_database_then_export_gives_the_same_yaml(
        string sample,
        string values,
        string agent
    )
    {
        string first;
        await using (var source = await SkeinApiFactory.FreshAsync())
        {
            var admin = source.CreateAdminClient();
            await ManifestClient.ChangesAsync(
                await ManifestClient.ApplyAsync(admin, ManifestClient.Sample(sample), values: values)
            );
            first = await ManifestClient.ExportAsync(admin, (await ManifestClient.AgentIdAsync(admin, agent))!.Value);
        }

        await using var fresh = await SkeinApiFactory.FreshAsync();
        var freshAdmin = fresh.CreateAdminClient();
        var changes = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(freshAdmin, first));
        var second = await ManifestClient.ExportAsync(
            freshAdmin,
            (await ManifestClient.AgentIdAsync(freshAdmin, agent))!.Value
        );

        Assert.Contains(("agent", agent, "create"), changes);
        Assert.Equal(first, second);
        Assert.DoesNotContain(
            "id:",
            first.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("id:", StringComparison.Ordinal))
        );
    }
}
