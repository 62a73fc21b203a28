using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skein.Core.Agents;
using Skein.Store;
using Skein.Testing;

namespace Skein.Server.Tests.Secrets;

/// <summary>
/// Secrets go in and are used, but never come back out: every management and public API response, every
/// step content and every log line of a whole scenario is searched for the secret values.
/// </summary>
public sealed class SecretExposureTests : IAsyncLifetime
{
    private const string IntegrationSecret = "intg-SECRET-5b7e0c9d2f";
    private const string ProviderSecret = "sk-prov-SECRET-81aa3c4e";
    private const string SigningSecret = "sign-SECRET-3f9d6e2a7b10";
    private static readonly string[] AllSecrets = [IntegrationSecret, ProviderSecret, SigningSecret];

    private SkeinApiFactory _root = null!;
    private readonly LogCollector _logs = new();
    private WebApplicationFactory<Program> _factory = null!;
    private RecordingServer _integration = null!;
    private HttpClient _admin = null!;
    private readonly List<(string What, string Body)> _seen = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _root = await SkeinApiFactory.FreshAsync();
        _factory = _root.WithWebHostBuilder(b =>
            b.ConfigureLogging(l => l.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug))
        );
        _admin = _factory.CreateClient();
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer",
            SkeinApiFactory.AdminToken
        );
        _integration = await RecordingServer.StartAsync(Ct);
        _integration.Respond = (context, request) =>
        {
            // A careless server that reflects what it was sent, in success and in error.
            context.Response.StatusCode = request.Path.StartsWith("/fail", StringComparison.Ordinal) ? 500 : 200;
            return context.Response.WriteAsJsonAsync(
                new { youSent = request.Header("Authorization"), data = new[] { new { id = "model-a" } } }
            );
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _integration.DisposeAsync();
        await _factory.DisposeAsync();
        await _root.DisposeAsync();
    }

    private async Task<JsonElement> SendAsync(HttpClient client, HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url)
        {
            Content = body is null ? null : JsonContent.Create(body),
        };
        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        _seen.Add(($"{method} {url} -> {(int)response.StatusCode}", text));
        Assert.True(response.IsSuccessStatusCode, $"{method} {url}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    [StoreFact]
    public async Task No_secret_value_appears_in_any_api_response_step_content_or_log_line()
    {
        // Secrets in: a named secret, a provider key given inline, an event trigger's chosen signing secret.
        await SendAsync(_admin, HttpMethod.Put, "/api/secrets/crm-token", new { value = IntegrationSecret });
        var integration = await SendAsync(
            _admin,
            HttpMethod.Post,
            "/api/integrations",
            new
            {
                name = "crm",
                baseUrl = _integration.BaseUrl,
                authType = "bearer",
                authSecretName = "crm-token",
            }
        );
        var integrationId = integration.GetProperty("id").GetGuid();
        await SendAsync(
            _admin,
            HttpMethod.Post,
            $"/api/integrations/{integrationId}/operations",
            new
            {
                name = "crm_lookup",
                method = "GET",
                path = "/lookup/{id}",
            }
        );
        await SendAsync(
            _admin,
            HttpMethod.Post,
            $"/api/integrations/{integrationId}/operations",
            new
            {
                name = "crm_fail",
                method = "POST",
                path = "/fail",
            }
        );
        var provider = await SendAsync(
            _admin,
            HttpMethod.Post,
            "/api/providers",
            new
            {
                name = "remote-" + Guid.NewGuid().ToString("N")[..6],
                kind = "openai",
                baseUrl = _integration.BaseUrl + "/v1",
                apiKey = ProviderSecret,
                models = new[] { "model-a" },
            }
        );
        var providerId = provider.GetProperty("id").GetGuid();

        var contexts = _factory.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        var agent = await TestData.CreateAgentAsync(
            contexts,
            new AgentSpec
            {
                Operations = ["crm_lookup", "crm_fail"],
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "looking up",
                        ToolCalls =
                        [
                            new ScriptToolCall("crm_lookup", JsonSerializer.SerializeToElement(new { id = 7 })),
                            new ScriptToolCall("crm_fail", JsonSerializer.SerializeToElement(new { x = 1 })),
                        ],
                    },
                    new ScriptTurn { Text = "done" },
                ],
            },
            Ct
        );
        var apiTrigger = await SendAsync(
            _admin,
            HttpMethod.Put,
            $"/api/agents/{agent.AgentId}/triggers/api",
            new { active = true }
        );
        var eventTrigger = await SendAsync(
            _admin,
            HttpMethod.Post,
            $"/api/agents/{agent.AgentId}/triggers",
            new
            {
                type = "event",
                name = "hook",
                signingSecret = SigningSecret,
            }
        );
        var key = await ApiKeys.CreateAsync(
            _admin,
            new ApiScope(agent.AgentId, apiTrigger.GetProperty("id").GetGuid())
        );
        var api = _factory.CreateClient();
        api.DefaultRequestHeaders.Add("X-API-Key", key);

        // Use them: a run whose tools call the integration, a signed webhook, a provider connection test.
        var started = await SendAsync(
            api,
            HttpMethod.Post,
            $"/v1/agents/{agent.AgentId}/runs",
            new { input = new { q = 1 } }
        );
        var runId = started.GetProperty("runId").GetGuid();
        var sessionId = started.GetProperty("sessionId").GetGuid();
        await Eventually.Get(
            () => SendAsync(api, HttpMethod.Get, $"/v1/runs/{runId}"),
            r => r.GetProperty("status").GetString() == "Completed",
            what: "the run to complete"
        );
        const string hookBody = """{"q":2}""";
        var hook = Webhooks.Signed($"/hooks/{eventTrigger.GetProperty("id").GetGuid()}", SigningSecret, hookBody);
        Assert.Equal(HttpStatusCode.Accepted, (await _factory.CreateClient().SendAsync(hook, Ct)).StatusCode);
        var test = await SendAsync(_admin, HttpMethod.Post, $"/api/providers/{providerId}/test");
        Assert.True(test.GetProperty("ok").GetBoolean());

        // The secrets really were used (so this test can fail): sent as headers to the integration and the provider.
        Assert.Contains(_integration.Requests, r => r.Header("Authorization") == $"Bearer {IntegrationSecret}");
        Assert.Contains(_integration.Requests, r => r.Header("Authorization") == $"Bearer {ProviderSecret}");

        // Read everything back.
        foreach (
            var url in new[]
            {
                "/api/secrets",
                "/api/agents",
                $"/api/agents/{agent.AgentId}/triggers",
                $"/api/agents/{agent.AgentId}/triggers/{eventTrigger.GetProperty("id").GetGuid()}",
                $"/api/agents/{agent.AgentId}/triggers/{eventTrigger.GetProperty("id").GetGuid()}/ingress",
                "/api/integrations",
                $"/api/integrations/{integrationId}",
                "/api/providers",
                "/api/sessions",
                $"/api/sessions/{sessionId}",
                "/api/keys",
                "/openapi/v1.json",
            }
        )
        {
            await SendAsync(_admin, HttpMethod.Get, url);
        }

        foreach (
            var url in new[]
            {
                $"/v1/runs/{runId}",
                $"/v1/runs/{runId}/conversation?stepContent=full",
                $"/v1/agents/{agent.AgentId}/sessions",
                "/v1/agents",
            }
        )
        {
            await SendAsync(api, HttpMethod.Get, url);
        }

        await using var db = await contexts.CreateDbContextAsync(Ct);
        var steps = await db
            .Steps.AsNoTracking()
            .Where(s => s.SessionId == sessionId)
            .Select(s => s.Content)
            .ToListAsync(Ct);
        Assert.Contains(steps, c => c.Contains("youSent", StringComparison.Ordinal));
        var secretRows = await db.Secrets.AsNoTracking().Select(s => s.ProtectedValue).ToListAsync(Ct);

        foreach (var secret in AllSecrets)
        {
            Assert.All(_seen, r =>
                Assert.False(r.Body.Contains(secret, StringComparison.Ordinal), $"{r.What} contains a secret")
            );
            Assert.All(steps, c => Assert.DoesNotContain(secret, c));
            Assert.All(_logs.Lines, l => Assert.DoesNotContain(secret, l));
            Assert.All(secretRows, v => Assert.DoesNotContain(secret, v));
        }
    }
}
