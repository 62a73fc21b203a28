using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Triggers;
using Skein.Engine.Timers;
using Skein.Engine.Triggers;
using Skein.Testing;

namespace Skein.Server.Tests.Hardening;

/// <summary>
/// Webhook deliveries (issue 15, items 3, 11 and 17): the SPEC section 8 signature binds timestamp and delivery id,
/// so a captured delivery cannot be replayed later or with another delivery id; refusals before authentication
/// store nothing but a per-trigger counter; the ingress log is pruned by retention; hostile JSON never gets a 500.
/// </summary>
public sealed class WebhookReplayTests(ApiServers servers) : ApiTests(servers)
{
    private HttpClient Anonymous => field ??= Server.CreateClient();

    private sealed record EventTrigger(Guid AgentId, Guid TriggerId, string Secret)
    {
        public string Url => $"/hooks/{TriggerId}";
    }

    private async Task<EventTrigger> CreateAsync()
    {
        var agent = await TestData.CreateAgentAsync(Server.Contexts, new AgentSpec(), Ct);
        var response = await Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            new { type = "event", name = "orders" },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return new EventTrigger(
            agent.AgentId,
            created.GetProperty("id").GetGuid(),
            created.GetProperty("signingSecret").GetString() ?? ""
        );
    }

    private async Task<int> SessionCountAsync(Guid triggerId)
    {
        await using var db = await Server.Contexts.CreateDbContextAsync(Ct);
        return await db.Sessions.CountAsync(s => s.TriggerId == triggerId, Ct);
    }

    private async Task<int> IngressRowsAsync(Guid triggerId)
    {
        await using var db = await Server.Contexts.CreateDbContextAsync(Ct);
        return await db.TriggerIngress.CountAsync(e => e.TriggerId == triggerId, Ct);
    }

    private async Task<JsonElement> IngressAsync(EventTrigger trigger)
    {
        await Server.Services.GetRequiredService<RefusedDeliveries>().FlushAsync(Ct);
        return await Admin.GetFromJsonAsync<JsonElement>(
            $"/api/agents/{trigger.AgentId}/triggers/{trigger.TriggerId}/ingress",
            Ct
        );
    }

    [StoreFact]
    public async Task A_captured_delivery_replayed_after_five_minutes_is_401_and_starts_nothing()
    {
        var trigger = await CreateAsync();
        const string body = """{"order":1}""";

        var stale = await Anonymous.SendAsync(
            Webhooks.Signed(trigger.Url, trigger.Secret, body, "d-1", DateTimeOffset.UtcNow.AddMinutes(-6)),
            Ct
        );
        var future = await Anonymous.SendAsync(
            Webhooks.Signed(trigger.Url, trigger.Secret, body, "d-2", DateTimeOffset.UtcNow.AddMinutes(6)),
            Ct
        );
        var fresh = await Anonymous.SendAsync(Webhooks.Signed(trigger.Url, trigger.Secret, body, "d-3"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, future.StatusCode);
        Assert.Contains("5 minutes", await stale.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        Assert.Equal(1, await SessionCountAsync(trigger.TriggerId));
    }

    [StoreFact]
    public async Task Changing_the_delivery_id_of_a_captured_delivery_breaks_its_signature()
    {
        var trigger = await CreateAsync();
        const string body = """{"order":2}""";
        var first = await Anonymous.SendAsync(Webhooks.Signed(trigger.Url, trigger.Secret, body, "order-2"), Ct);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        // The replayer keeps timestamp, signature and body, and changes only the unsigned-looking delivery id.
        var captured = Webhooks.Signed(trigger.Url, trigger.Secret, body, "order-2");
        captured.Headers.Remove(WebhookSignature.DeliveryHeaderName);
        captured.Headers.Add(WebhookSignature.DeliveryHeaderName, "order-2-again");
        var replay = await Anonymous.SendAsync(captured, Ct);

        // Without any delivery id the signature does not match either.
        var withoutId = Webhooks.Signed(trigger.Url, trigger.Secret, body, "order-2");
        withoutId.Headers.Remove(WebhookSignature.DeliveryHeaderName);
        var stripped = await Anonymous.SendAsync(withoutId, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stripped.StatusCode);
        Assert.Equal(1, await SessionCountAsync(trigger.TriggerId));
    }

    [StoreFact]
    public async Task Bad_signature_deliveries_store_nothing_but_a_counter_whatever_their_size()
    {
        var trigger = await CreateAsync();
        var body = "{\"blob\":\"" + new string('x', 8 * 1024) + "\"}";
        for (var i = 0; i < 40; i++)
        {
            var request = Webhooks.Signed(trigger.Url, "not-the-secret", body);
            request.Headers.Add(WebhookSignature.DeliveryHeaderName, new string('d', 30_000) + i);
            Assert.Equal(HttpStatusCode.BadRequest, (await Anonymous.SendAsync(request, Ct)).StatusCode);
            var unsigned = await Anonymous.SendAsync(
                Webhooks.Signed(trigger.Url, "not-the-secret", body, $"id-{i}"),
                Ct
            );
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        }

        var ingress = await IngressAsync(trigger);

        Assert.Equal(0, await IngressRowsAsync(trigger.TriggerId));
        Assert.Empty(ingress.GetProperty("items").EnumerateArray());
        var refused = ingress.GetProperty("refused");
        Assert.Equal(80, refused.GetProperty("count").GetInt64());
        Assert.Contains("signature", refused.GetProperty("lastReason").GetString());
        Assert.Equal(0, await SessionCountAsync(trigger.TriggerId));
    }

    [StoreFact]
    public async Task A_signed_delivery_id_over_200_characters_is_400_and_not_logged()
    {
        var trigger = await CreateAsync();

        var response = await Anonymous.SendAsync(
            Webhooks.Signed(trigger.Url, trigger.Secret, "{}", new string('d', 201)),
            Ct
        );

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("200 characters", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(0, await IngressRowsAsync(trigger.TriggerId));
        Assert.Equal(1, (await IngressAsync(trigger)).GetProperty("refused").GetProperty("count").GetInt64());
    }

    [StoreTheory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{"token":"x","token":"y"}""")]
    [InlineData("""{"a":"\ud800"}""")]
    [InlineData("""{"\udfff":1}""")]
    public async Task Duplicate_keys_or_lone_surrogates_are_never_a_500_signed_or_not(string body)
    {
        var trigger = await CreateAsync();

        var unsigned = await Anonymous.SendAsync(Webhooks.Signed(trigger.Url, "not-the-secret", body), Ct);
        var signed = await Anonymous.SendAsync(Webhooks.Signed(trigger.Url, trigger.Secret, body), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.True((int)signed.StatusCode < 500, $"signed: {(int)signed.StatusCode}");
        Assert.Equal("application/problem+json", unsigned.Content.Headers.ContentType?.MediaType);
    }

    [StoreFact]
    public async Task Ingress_entries_older_than_the_workspace_retention_are_deleted_by_the_sweep()
    {
        var trigger = await CreateAsync();
        var old = await Anonymous.SendAsync(Webhooks.Signed(trigger.Url, trigger.Secret, "not json", "old-1"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        var recent = await Anonymous.SendAsync(Webhooks.Signed(trigger.Url, trigger.Secret, "[]"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, recent.StatusCode);
        await using (var db = await Server.Contexts.CreateDbContextAsync(Ct))
        {
            var retentionDays = await db.Workspaces.Select(w => w.RetentionDays).FirstAsync(Ct);
            var longAgo = DateTime.UtcNow.AddDays(-(retentionDays + 1));
            await db
                .TriggerIngress.Where(e => e.TriggerId == trigger.TriggerId && e.DeliveryId == "old-1")
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.ReceivedAt, longAgo), Ct);
        }

        await Server.Services.GetRequiredService<RetentionService>().SweepAsync(Ct);

        var items = (await IngressAsync(trigger)).GetProperty("items").EnumerateArray().ToList();
        var left = Assert.Single(items);
        Assert.NotEqual("old-1", left.GetProperty("deliveryId").GetString());
    }
}
