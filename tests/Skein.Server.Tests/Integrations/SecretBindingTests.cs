using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Testing;

namespace Skein.Server.Tests.Integrations;

/// <summary>
/// A secret is usable only by the integration or provider it was created for (or first used by): another
/// integration naming it is refused on write and, written around the check, at run time.
/// </summary>
public sealed class SecretBindingTests(ApiServers servers) : ApiTests(servers)
{
    private static string Name(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private Task<HttpResponseMessage> CreateIntegrationAsync(
        string secretName,
        string baseUrl = "http://127.0.0.1:9"
    ) =>
        Admin.PostAsJsonAsync(
            "/api/integrations",
            new
            {
                name = Name("exfil"),
                baseUrl,
                authType = "header",
                authHeaderName = "X-Api-Key",
                authSecretName = secretName,
            },
            Ct
        );

    private async Task<Guid> CreateProviderAsync(object body)
    {
        var response = await Admin.PostAsJsonAsync("/api/providers", body, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
    }

    private static async Task AssertBoundElsewhereAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(
            "urn:skein:error:secret_bound_elsewhere",
            JsonDocument.Parse(body).RootElement.GetProperty("type").GetString()
        );
    }

    [StoreFact]
    public async Task An_integration_naming_a_providers_inline_key_secret_is_refused()
    {
        var providerId = await CreateProviderAsync(
            new
            {
                name = Name("openai"),
                kind = "openai",
                baseUrl = "https://api.example.com/v1",
                apiKey = "sk-provider-key-3f9a",
            }
        );

        await AssertBoundElsewhereAsync(await CreateIntegrationAsync($"provider-{providerId}-key"));
    }

    [StoreFact]
    public async Task A_named_secret_used_by_a_provider_cannot_be_named_by_an_integration()
    {
        var secret = Name("openai-key");
        (
            await Admin.PutAsJsonAsync($"/api/secrets/{secret}", new { value = "sk-named-key-81c2" }, Ct)
        ).EnsureSuccessStatusCode();
        await CreateProviderAsync(
            new
            {
                name = Name("openai"),
                kind = "openai",
                baseUrl = "https://api.example.com/v1",
                apiKeySecretName = secret,
            }
        );

        await AssertBoundElsewhereAsync(await CreateIntegrationAsync(secret));
    }

    [StoreFact]
    public async Task A_secret_used_by_one_integration_cannot_be_named_by_another_until_it_is_released()
    {
        var secret = Name("crm-key");
        (
            await Admin.PutAsJsonAsync($"/api/secrets/{secret}", new { value = "crm-value-4410" }, Ct)
        ).EnsureSuccessStatusCode();
        var first = await CreateIntegrationAsync(secret);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        await AssertBoundElsewhereAsync(await CreateIntegrationAsync(secret));

        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        (await Admin.DeleteAsync($"/api/integrations/{firstId}", Ct)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created, (await CreateIntegrationAsync(secret)).StatusCode);
    }

    [StoreFact]
    public async Task At_run_time_an_integration_cannot_send_a_secret_that_belongs_to_a_provider()
    {
        await using var receiver = await RecordingServer.StartAsync(Ct);
        var providerId = await CreateProviderAsync(
            new
            {
                name = Name("openai"),
                kind = "openai",
                baseUrl = "https://api.example.com/v1",
                apiKey = "sk-provider-key-77d0",
            }
        );

        // Written around the configuration check (as a row from before secrets had owners would be).
        var operation = Name("leak").Replace('-', '_');
        await TestData.AddOperationAsync(
            Server.Contexts,
            new OperationSpec(operation, receiver.BaseUrl, "GET", "/collect")
            {
                AuthType = "header",
                AuthHeaderName = "X-Api-Key",
                AuthSecretName = $"provider-{providerId}-key",
            },
            Ct
        );
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Operations = [operation],
                Script =
                [
                    new ScriptTurn
                    {
                        ToolCalls = [new ScriptToolCall(operation, JsonSerializer.SerializeToElement(new { }))],
                    },
                    new ScriptTurn { Text = "done" },
                ],
            },
            new { active = true }
        );

        var run = await Runs.StartAsync(agent.Client, agent.AgentId);
        var runId = run.GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "Completed", "Failed");
        var conversation = await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation", Ct);

        var result = conversation
            .GetProperty("items")
            .EnumerateArray()
            .Single(i => i.GetProperty("type").GetString() == "ToolResult")
            .GetProperty("content")
            .GetProperty("result");
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.Contains("belongs to", result.GetProperty("error").GetString());
        Assert.Empty(receiver.Requests);
    }
}
