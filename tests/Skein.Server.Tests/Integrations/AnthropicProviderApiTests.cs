using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Skein.Testing;

namespace Skein.Server.Tests.Integrations;

/// <summary>
/// The <c>anthropic</c> provider kind through the management API and a run: it is saved like any provider, its
/// connection test speaks the Messages API's headers, and its model calls keep the egress rules (no redirects, no
/// private networks when the policy is on).
/// </summary>
public sealed class AnthropicProviderApiTests(ApiServers servers) : ApiTests(servers), IAsyncLifetime
{
    private RecordingServer _endpoint = null!;

    public async ValueTask InitializeAsync() => _endpoint = await RecordingServer.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _endpoint.DisposeAsync();

    private static string Name() => "anthropic-" + Guid.NewGuid().ToString("N")[..8];

    [StoreFact]
    public async Task An_anthropic_provider_is_saved_and_its_connection_test_lists_models_with_the_api_key_header()
    {
        _endpoint.Respond = (context, _) =>
            context.Response.WriteAsJsonAsync(
                new
                {
                    data = new[] { new { type = "model", id = "claude-a" }, new { type = "model", id = "claude-b" } },
                }
            );
        var created = await Admin.PostAsJsonAsync(
            "/api/providers",
            new
            {
                name = Name(),
                kind = "anthropic",
                baseUrl = _endpoint.BaseUrl,
                apiKey = "sk-ant-api-123",
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var provider = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("anthropic", provider.GetProperty("kind").GetString());

        var test = await Admin.PostAsync($"/api/providers/{provider.GetProperty("id").GetGuid()}/test", null, Ct);

        var result = await test.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal(
            ["claude-a", "claude-b"],
            result.GetProperty("models").EnumerateArray().Select(m => m.GetString())
        );
        var request = Assert.Single(_endpoint.Requests);
        Assert.Equal("/v1/models", request.Path);
        Assert.Equal("sk-ant-api-123", request.Header("x-api-key"));
        Assert.False(string.IsNullOrEmpty(request.Header("anthropic-version")));
        Assert.Null(request.Header("Authorization"));
    }

    [StoreFact]
    public async Task An_unknown_provider_kind_is_refused_with_the_kinds_listed()
    {
        var response = await Admin.PostAsJsonAsync("/api/providers", new { name = Name(), kind = "claude" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("'anthropic'", problem.GetProperty("detail").GetString());
    }

    [StoreFact]
    public async Task A_redirect_from_an_anthropic_provider_is_not_followed()
    {
        await using var elsewhere = await RecordingServer.StartAsync(Ct);
        _endpoint.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = elsewhere.BaseUrl + "/v1/messages";
            return Task.CompletedTask;
        };
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                ProviderKind = "anthropic",
                ProviderBaseUrl = _endpoint.BaseUrl,
                ProviderApiKey = "sk-ant-redirected",
                Model = "claude-test",
            }
        );

        var run = await Runs.StartAsync(agent.Client, agent.AgentId);
        var done = await Runs.WaitForAsync(agent.Client, run.GetProperty("runId").GetGuid(), "Completed", "Failed");

        Assert.Equal("Failed", done.GetProperty("status").GetString());
        Assert.StartsWith("model provider error:", done.GetProperty("error").GetString());
        Assert.Equal("/v1/messages", Assert.Single(_endpoint.Requests).Path);
        Assert.Empty(elsewhere.Requests);
    }

    [StoreFact]
    public async Task An_anthropic_provider_on_loopback_is_refused_at_connect_when_the_egress_policy_is_on()
    {
        await using var server = await SkeinApiFactory.FreshAsync();
        server.Settings["Skein:Egress:AllowPrivateNetworks"] = "false";
        var agent = await server.CreateApiAgentAsync(
            new AgentSpec
            {
                ProviderKind = "anthropic",
                ProviderBaseUrl = $"http://localhost:{new Uri(_endpoint.BaseUrl).Port}",
                Model = "claude-test",
            }
        );

        var run = await Runs.StartAsync(agent.Client, agent.AgentId);
        var done = await Runs.WaitForAsync(agent.Client, run.GetProperty("runId").GetGuid(), "Completed", "Failed");

        Assert.Equal("Failed", done.GetProperty("status").GetString());
        Assert.Contains("Skein__Egress__AllowPrivateNetworks", done.GetProperty("error").GetString());
        Assert.Empty(_endpoint.Requests);
    }
}
