using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Store;
using Skein.Testing;

namespace Skein.Server.Tests.Integrations;

public sealed class ProviderAdminTests(ApiServers servers) : ApiTests(servers), IAsyncLifetime
{
    private RecordingServer _endpoint = null!;

    public async ValueTask InitializeAsync() => _endpoint = await RecordingServer.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _endpoint.DisposeAsync();

    private async Task<JsonElement> CreateAsync(object body)
    {
        var response = await Admin.PostAsJsonAsync("/api/providers", body, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<JsonElement> TestAsync(Guid id)
    {
        var response = await Admin.PostAsync($"/api/providers/{id}/test", null, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static string Name() => "provider-" + Guid.NewGuid().ToString("N")[..8];

    [StoreFact]
    public async Task An_openai_provider_keeps_its_key_in_a_secret_and_the_connection_test_lists_the_endpoints_models()
    {
        _endpoint.Respond = (context, _) =>
            context.Response.WriteAsJsonAsync(
                new { @object = "list", data = new[] { new { id = "gpt-small" }, new { id = "gpt-large" } } }
            );
        var provider = await CreateAsync(
            new
            {
                name = Name(),
                kind = "openai",
                baseUrl = _endpoint.BaseUrl + "/v1",
                apiKey = "sk-test-abc123",
                models = new[] { "gpt-small" },
            }
        );
        var id = provider.GetProperty("id").GetGuid();
        Assert.Equal($"provider-{id}-key", provider.GetProperty("apiKeySecretName").GetString());
        Assert.Equal(["gpt-small"], provider.GetProperty("models").EnumerateArray().Select(m => m.GetString()));

        var result = await TestAsync(id);

        Assert.True(result.GetProperty("ok").GetBoolean());
        Assert.Equal(
            ["gpt-small", "gpt-large"],
            result.GetProperty("models").EnumerateArray().Select(m => m.GetString())
        );
        var request = Assert.Single(_endpoint.Requests);
        Assert.Equal("/v1/models", request.Path);
        Assert.Equal("Bearer sk-test-abc123", request.Header("Authorization"));
        var secrets = await Admin.GetFromJsonAsync<JsonElement>("/api/secrets", Ct);
        Assert.Contains(secrets.GetProperty("items").EnumerateArray(), s =>
            s.GetProperty("name").GetString() == $"provider-{id}-key"
        );
    }

    [StoreFact]
    public async Task A_failing_endpoint_is_reported_as_not_ok_never_as_a_server_error()
    {
        _endpoint.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return context.Response.WriteAsync("bad key");
        };
        var rejecting = await CreateAsync(
            new
            {
                name = Name(),
                kind = "openai",
                baseUrl = _endpoint.BaseUrl + "/v1",
                apiKey = "sk-wrong",
            }
        );
        var unreachable = await CreateAsync(
            new
            {
                name = Name(),
                kind = "openai",
                baseUrl = "http://127.0.0.1:9/v1",
            }
        );
        var missingSecret = await CreateAsync(
            new
            {
                name = Name(),
                kind = "openai",
                baseUrl = _endpoint.BaseUrl + "/v1",
                apiKeySecretName = "not-created-yet",
            }
        );

        var rejected = await TestAsync(rejecting.GetProperty("id").GetGuid());
        var down = await TestAsync(unreachable.GetProperty("id").GetGuid());
        var noKey = await TestAsync(missingSecret.GetProperty("id").GetGuid());

        Assert.False(rejected.GetProperty("ok").GetBoolean());
        Assert.Contains("HTTP 401", rejected.GetProperty("error").GetString());
        Assert.False(down.GetProperty("ok").GetBoolean());
        Assert.Contains("cannot reach", down.GetProperty("error").GetString());
        Assert.False(noKey.GetProperty("ok").GetBoolean());
        Assert.Contains("'not-created-yet' is not set", noKey.GetProperty("error").GetString());
    }

    [StoreFact]
    public async Task The_scripted_provider_always_tests_ok()
    {
        var scripted = await CreateAsync(new { name = Name(), kind = "scripted" });

        Assert.True((await TestAsync(scripted.GetProperty("id").GetGuid())).GetProperty("ok").GetBoolean());
    }

    [StoreTheory]
    [InlineData("""{"name":"x","kind":"gemini"}""")]
    [InlineData("""{"name":"x","kind":"openai","baseUrl":"ftp://host"}""")]
    [InlineData("""{"kind":"openai"}""")]
    [InlineData("""{"name":"x","kind":"openai","apiKeySecretName":"bad name!"}""")]
    public async Task Bad_provider_settings_are_400(string body)
    {
        var response = await Admin.PostAsync(
            "/api/providers",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            Ct
        );

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [StoreFact]
    public async Task A_provider_in_use_by_an_agent_cannot_be_deleted_and_an_unused_one_can()
    {
        var contexts = Server.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        var agent = await TestData.CreateAgentAsync(contexts, new AgentSpec(), Ct);
        await using var db = await contexts.CreateDbContextAsync(Ct);
        var used = await db.Agents.Where(a => a.Id == agent.AgentId).Select(a => a.LlmProviderId).SingleAsync(Ct);
        var unused = await CreateAsync(new { name = Name(), kind = "scripted" });

        Assert.Equal(HttpStatusCode.Conflict, (await Admin.DeleteAsync($"/api/providers/{used}", Ct)).StatusCode);
        Assert.Equal(
            HttpStatusCode.NoContent,
            (await Admin.DeleteAsync($"/api/providers/{unused.GetProperty("id").GetGuid()}", Ct)).StatusCode
        );
    }
}
