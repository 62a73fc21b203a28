using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Store;
using Skein.Testing;

namespace Skein.Server.Tests.Triggers;

public sealed class TriggerAdminTests(ApiServers servers) : ApiTests(servers)
{
    private Task<CreatedAgent> AgentAsync(ExecutionMode mode = ExecutionMode.Request) =>
        TestData.CreateAgentAsync(
            Server.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>(),
            new AgentSpec { Mode = mode },
            Ct
        );

    private static async Task AssertProblemAsync(
        HttpResponseMessage response,
        HttpStatusCode status,
        string? detailPart = null
    )
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (detailPart is not null)
        {
            Assert.Contains(
                detailPart,
                (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()
            );
        }
    }

    [StoreFact]
    public async Task A_scheduled_trigger_is_created_with_its_next_slot_and_edited_through_the_api()
    {
        var agent = await AgentAsync();

        var created = await Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            new
            {
                type = "scheduled",
                name = "nightly",
                cron = "0 2 * * *",
                timeZone = "America/New_York",
                input = new { scope = "all" },
            },
            Ct
        );

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var trigger = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = trigger.GetProperty("id").GetGuid();
        var next = trigger.GetProperty("nextFireAt").GetDateTime().ToUniversalTime();
        Assert.True(next.Hour is 6 or 7, $"02:00 in New York is 06:00 or 07:00 UTC, got {next:O}");
        Assert.Equal("0 2 * * *", trigger.GetProperty("settings").GetProperty("cron").GetString());
        Assert.Equal("all", trigger.GetProperty("settings").GetProperty("input").GetProperty("scope").GetString());

        var edited = await Admin.PutAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers/{id}",
            new { active = false },
            Ct
        );
        edited.EnsureSuccessStatusCode();
        var view = await edited.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.False(view.GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("nextFireAt").ValueKind);
        Assert.Equal("America/New_York", view.GetProperty("settings").GetProperty("time_zone").GetString());

        var list = await Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agent.AgentId}/triggers", Ct);
        Assert.Contains(list.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetGuid() == id);

        Assert.Equal(
            HttpStatusCode.NoContent,
            (await Admin.DeleteAsync($"/api/agents/{agent.AgentId}/triggers/{id}", Ct)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await Admin.GetAsync($"/api/agents/{agent.AgentId}/triggers/{id}", Ct)).StatusCode
        );
    }

    [StoreTheory]
    [InlineData("""{"type":"scheduled","cron":"not a cron"}""", "invalid cron")]
    [InlineData("""{"type":"scheduled","cron":"0 9 * * *","timeZone":"Nowhere/Special"}""", "unknown time zone")]
    [InlineData("""{"type":"scheduled","cron":"0 9 * * *","input":[1,2]}""", "input must be a JSON object")]
    [InlineData("""{"type":"event","inputPath":"a..b"}""", "inputPath")]
    [InlineData("""{"type":"event","signingSecretName":"no-such-secret"}""", "no secret named")]
    [InlineData("""{"type":"webhook"}""", "type must be")]
    [InlineData("""{"type":"api","rpmLimit":-1}""", "rpmLimit")]
    public async Task Bad_trigger_settings_are_400_problem_json(string body, string detail)
    {
        var agent = await AgentAsync();

        var response = await Admin.PostAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            Ct
        );

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
    }

    [StoreFact]
    public async Task An_agent_has_at_most_one_api_trigger()
    {
        var agent = await AgentAsync();

        var first = await Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            new
            {
                type = "api",
                rpmLimit = 10,
                exposeStepTimeline = false,
            },
            Ct
        );
        var second = await Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            new { type = "api", name = "api-2" },
            Ct
        );

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var settings = (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("settings");
        Assert.Equal(10, settings.GetProperty("rpm_limit").GetInt32());
        Assert.False(settings.GetProperty("expose_step_timeline").GetBoolean());
        await AssertProblemAsync(second, HttpStatusCode.Conflict, "one per agent");
    }

    [StoreFact]
    public async Task SubAgent_agents_cannot_have_triggers()
    {
        var agent = await AgentAsync(ExecutionMode.SubAgent);

        var response = await Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            new { type = "scheduled", cron = "0 9 * * *" },
            Ct
        );

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "SubAgent");
    }

    [StoreFact]
    public async Task Trigger_names_are_unique_per_agent_and_the_type_cannot_change()
    {
        var agent = await AgentAsync();
        await Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            new
            {
                type = "scheduled",
                name = "daily",
                cron = "0 9 * * *",
            },
            Ct
        );
        var created = await Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            new
            {
                type = "scheduled",
                name = "hourly",
                cron = "0 * * * *",
            },
            Ct
        );
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();

        await AssertProblemAsync(
            await Admin.PostAsJsonAsync(
                $"/api/agents/{agent.AgentId}/triggers",
                new
                {
                    type = "scheduled",
                    name = "daily",
                    cron = "0 9 * * *",
                },
                Ct
            ),
            HttpStatusCode.Conflict
        );
        await AssertProblemAsync(
            await Admin.PutAsJsonAsync($"/api/agents/{agent.AgentId}/triggers/{id}", new { name = "daily" }, Ct),
            HttpStatusCode.Conflict
        );
        await AssertProblemAsync(
            await Admin.PutAsJsonAsync($"/api/agents/{agent.AgentId}/triggers/{id}", new { type = "event" }, Ct),
            HttpStatusCode.BadRequest,
            "type cannot change"
        );
    }

    [StoreFact]
    public async Task The_new_routes_are_in_the_openapi_document()
    {
        var doc = await Server.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var paths = doc.GetProperty("paths");

        foreach (
            var path in new[]
            {
                "/api/agents/{agentId}/triggers/{triggerId}",
                "/api/agents/{agentId}/triggers/{triggerId}/ingress",
                "/api/agents/{agentId}/triggers/{triggerId}/ingress/{entryId}/retry",
                "/api/secrets/{name}",
                "/api/secrets",
                "/api/integrations",
                "/api/integrations/{id}",
                "/api/integrations/{id}/operations",
                "/api/integrations/{id}/operations/{operationId}",
                "/api/providers",
                "/api/providers/{id}",
                "/api/providers/{id}/test",
                "/hooks/{triggerId}",
            }
        )
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from /openapi/v1.json");
        }
    }
}
