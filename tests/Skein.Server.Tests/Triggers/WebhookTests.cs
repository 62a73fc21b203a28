using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Core.Triggers;
using Skein.Store;
using Skein.Testing;

namespace Skein.Server.Tests.Triggers;

/// <summary>Event triggers end to end: created through the management API, delivered to <c>POST
/// /hooks/{triggerId}</c>.</summary>
public sealed class WebhookTests(ApiServers servers) : ApiTests(servers)
{
    private HttpClient Anonymous => field ??= Server.CreateClient();

    private sealed record EventTrigger(Guid AgentId, Guid TriggerId, string Secret);

    private async Task<EventTrigger> CreateEventTriggerAsync(
        object? extra = null,
        VersionState state = VersionState.Deployed
    )
    {
        var contexts = Server.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        var agent = await TestData.CreateAgentAsync(contexts, new AgentSpec { State = state }, Ct);
        var body = JsonSerializer.SerializeToElement(extra ?? new { });
        var request = new Dictionary<string, object?> { ["type"] = "event", ["name"] = "orders" };
        foreach (var p in body.EnumerateObject())
        {
            request[p.Name] = p.Value;
        }

        var response = await Admin.PostAsJsonAsync($"/api/agents/{agent.AgentId}/triggers", request, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal($"/hooks/{created.GetProperty("id").GetGuid()}", created.GetProperty("webhookPath").GetString());
        return new EventTrigger(
            agent.AgentId,
            created.GetProperty("id").GetGuid(),
            created.GetProperty("signingSecret").GetString() ?? ""
        );
    }

    /// <summary>Delivers <paramref name="body"/> signed with <paramref name="secret"/> (unsigned when null).</summary>
    private Task<HttpResponseMessage> DeliverAsync(
        Guid triggerId,
        string body,
        string? secret,
        string? deliveryId = null
    )
    {
        var request = secret is null
            ? new HttpRequestMessage(HttpMethod.Post, $"/hooks/{triggerId}")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            }
            : Webhooks.Signed($"/hooks/{triggerId}", secret, body, deliveryId);
        if (secret is null && deliveryId is not null)
        {
            request.Headers.Add(WebhookSignature.DeliveryHeaderName, deliveryId);
        }

        return Anonymous.SendAsync(request, Ct);
    }

    /// <summary>A delivery whose signature header is <paramref name="signature"/> as given.</summary>
    private Task<HttpResponseMessage> DeliverWithSignatureAsync(Guid triggerId, string body, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{triggerId}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.TimestampHeaderName, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString());
        request.Headers.Add(WebhookSignature.HeaderName, signature);
        return Anonymous.SendAsync(request, Ct);
    }

    private async Task<JsonElement[]> IngressAsync(EventTrigger trigger)
    {
        var log = await Admin.GetFromJsonAsync<JsonElement>(
            $"/api/agents/{trigger.AgentId}/triggers/{trigger.TriggerId}/ingress",
            Ct
        );
        return [.. log.GetProperty("items").EnumerateArray()];
    }

    private async Task<int> SessionCountAsync(Guid triggerId)
    {
        await using var db = await Server
            .Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>()
            .CreateDbContextAsync(Ct);
        return await db.Sessions.CountAsync(s => s.TriggerId == triggerId, Ct);
    }

    [StoreFact]
    public async Task A_signed_delivery_starts_an_event_session_with_the_selected_part_of_the_payload_as_input()
    {
        var trigger = await CreateEventTriggerAsync(new { inputPath = "data.order" });
        Assert.Equal(64, trigger.Secret.Length);
        const string body = """{"type":"order.created","data":{"order":{"id":42,"total":99.5}}}""";

        var response = await DeliverAsync(trigger.TriggerId, body, trigger.Secret);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.False(started.GetProperty("duplicateDelivery").GetBoolean());
        var sessionId = started.GetProperty("sessionId").GetGuid();
        var session = await Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}", Ct);
        var s = session.TryGetProperty("session", out var inner) ? inner : session;
        Assert.Equal("event", s.GetProperty("triggerType").GetString());
        Assert.Equal(trigger.TriggerId, s.GetProperty("triggerId").GetGuid());
        Assert.Equal(42, s.GetProperty("input").GetProperty("id").GetInt32());
        Assert.Equal(started.GetProperty("runId").GetGuid(), s.GetProperty("rootRunId").GetGuid());

        var triggerView = await Admin.GetFromJsonAsync<JsonElement>(
            $"/api/agents/{trigger.AgentId}/triggers/{trigger.TriggerId}",
            Ct
        );
        Assert.Equal(JsonValueKind.String, triggerView.GetProperty("lastFiredAt").ValueKind);
        Assert.False(
            triggerView.TryGetProperty("signingSecret", out var again) && again.ValueKind == JsonValueKind.String
        );
    }

    [StoreFact]
    public async Task A_bad_or_missing_signature_is_401_problem_json_and_starts_nothing()
    {
        var trigger = await CreateEventTriggerAsync();
        const string body = """{"amount":5}""";

        var wrong = await DeliverAsync(trigger.TriggerId, body, "not-the-trigger-secret");
        var missing = await DeliverAsync(trigger.TriggerId, body, null);
        var tampered = await DeliverWithSignatureAsync(
            trigger.TriggerId,
            """{"amount":5000}""",
            WebhookSignature.Compute(
                trigger.Secret,
                DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                null,
                Encoding.UTF8.GetBytes(body)
            )
        );

        foreach (var response in new[] { wrong, missing, tampered })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(0, await SessionCountAsync(trigger.TriggerId));

        // Unauthenticated refusals are counted, never logged one by one.
        Assert.Empty(await IngressAsync(trigger));
    }

    [StoreFact]
    public async Task A_repeated_delivery_id_answers_200_with_the_first_sessions_ids_and_starts_nothing_more()
    {
        var trigger = await CreateEventTriggerAsync();
        const string body = """{"ticket":"T-1"}""";
        var signature = trigger.Secret;

        var first = await DeliverAsync(trigger.TriggerId, body, signature, "delivery-001");
        var repeat = await DeliverAsync(trigger.TriggerId, body, signature, "delivery-001");
        var other = await DeliverAsync(trigger.TriggerId, body, signature, "delivery-002");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        var a = await first.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var b = await repeat.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(b.GetProperty("duplicateDelivery").GetBoolean());
        Assert.Equal(a.GetProperty("sessionId").GetGuid(), b.GetProperty("sessionId").GetGuid());
        Assert.Equal(a.GetProperty("runId").GetGuid(), b.GetProperty("runId").GetGuid());
        Assert.Equal(2, await SessionCountAsync(trigger.TriggerId));
    }

    [StoreFact]
    public async Task Every_authenticated_attempt_is_in_the_ingress_log_newest_first_with_credentials_redacted()
    {
        var trigger = await CreateEventTriggerAsync();
        const string good = """{"customer":"ada","password":"hunter2-pass"}""";
        await DeliverAsync(trigger.TriggerId, good, trigger.Secret, "d-1");
        await DeliverAsync(trigger.TriggerId, good, trigger.Secret, "d-1");
        await DeliverAsync(trigger.TriggerId, "not json", trigger.Secret);
        await DeliverWithSignatureAsync(trigger.TriggerId, good, "sha256=00");

        var log = await IngressAsync(trigger);

        Assert.Equal(
            [IngressOutcomes.Rejected, IngressOutcomes.Duplicate, IngressOutcomes.Started],
            log.Select(e => e.GetProperty("outcome").GetString())
        );
        Assert.Equal("d-1", log[2].GetProperty("deliveryId").GetString());
        Assert.Equal(JsonValueKind.String, log[2].GetProperty("sessionId").ValueKind);
        Assert.Equal("ada", log[2].GetProperty("payload").GetProperty("customer").GetString());
        Assert.All(log, e => Assert.DoesNotContain("hunter2-pass", e.GetRawText()));
        Assert.Contains("not valid JSON", log[0].GetProperty("error").GetString());
    }

    [StoreFact]
    public async Task A_failed_start_is_logged_as_retryable_and_a_retry_starts_the_session_once_the_cause_is_fixed()
    {
        var trigger = await CreateEventTriggerAsync(state: VersionState.Testing);
        const string body = """{"job":7}""";

        var refused = await DeliverAsync(trigger.TriggerId, body, trigger.Secret, "job-7");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var failed = Assert.Single(await IngressAsync(trigger));
        Assert.Equal(IngressOutcomes.Failed, failed.GetProperty("outcome").GetString());
        Assert.True(failed.GetProperty("retryable").GetBoolean());

        await using (
            var db = await Server
                .Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>()
                .CreateDbContextAsync(Ct)
        )
        {
            await db
                .AgentVersions.Where(v => v.AgentId == trigger.AgentId)
                .ExecuteUpdateAsync(u => u.SetProperty(v => v.State, nameof(VersionState.Deployed)), Ct);
        }

        var retryUrl =
            $"/api/agents/{trigger.AgentId}/triggers/{trigger.TriggerId}/ingress/"
            + $"{failed.GetProperty("id").GetGuid()}/retry";
        var retried = await Admin.PostAsync(retryUrl, null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var session = await retried.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(1, await SessionCountAsync(trigger.TriggerId));

        var again = await Admin.PostAsync(retryUrl, null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        // The failed first arrival released its delivery id; the id now belongs to no session, so a resend starts one.
        var resend = await DeliverAsync(trigger.TriggerId, body, trigger.Secret, "job-7");
        Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        Assert.NotEqual(
            session.GetProperty("sessionId").GetGuid(),
            (await resend.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sessionId").GetGuid()
        );
    }

    [StoreFact]
    public async Task Unknown_and_inactive_triggers_are_404()
    {
        var trigger = await CreateEventTriggerAsync();
        const string body = "{}";
        var deactivate = await Admin.PutAsJsonAsync(
            $"/api/agents/{trigger.AgentId}/triggers/{trigger.TriggerId}",
            new { active = false },
            Ct
        );
        deactivate.EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.NotFound, (await DeliverAsync(trigger.TriggerId, body, trigger.Secret)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await DeliverAsync(Guid.NewGuid(), body, trigger.Secret)).StatusCode);
        Assert.Equal(0, await SessionCountAsync(trigger.TriggerId));
    }

    [StoreFact]
    public async Task A_supplied_signing_secret_is_used_and_never_echoed()
    {
        const string chosen = "my-own-signing-secret-123456";
        var trigger = await CreateEventTriggerAsync(new { signingSecret = chosen });
        Assert.Equal("", trigger.Secret);
        const string body = """{"a":1}""";

        var response = await DeliverAsync(trigger.TriggerId, body, chosen);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
