using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

public sealed class AdminApiTests(ApiServers servers) : ApiTests(servers)
{
    private async Task<Guid> DemoAgentIdAsync()
    {
        var agents = await Admin.GetFromJsonAsync<JsonElement>("/api/agents", TestContext.Current.CancellationToken);
        return agents
            .GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "demo")
            .GetProperty("id")
            .GetGuid();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.DoesNotContain("   at ", body.GetRawText());
    }

    [StoreFact]
    public async Task Healthz_answers_ok_when_the_store_is_reachable()
    {
        var response = await Server.CreateClient().GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [StoreFact]
    public async Task The_first_start_seeds_a_deployed_request_mode_demo_agent()
    {
        var agents = await Admin.GetFromJsonAsync<JsonElement>("/api/agents", TestContext.Current.CancellationToken);
        var demo = agents
            .GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "demo");
        Assert.Equal("Request", demo.GetProperty("executionMode").GetString());
        Assert.Equal("v1", demo.GetProperty("versionLabel").GetString());
    }

    [StoreFact]
    public async Task The_management_api_refuses_a_missing_or_wrong_token_with_problem_json()
    {
        await AssertProblemAsync(
            await Server.CreateClient().GetAsync("/api/agents", TestContext.Current.CancellationToken),
            HttpStatusCode.Unauthorized
        );
        var wrong = Server.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "nope");
        await AssertProblemAsync(
            await wrong.GetAsync("/api/agents", TestContext.Current.CancellationToken),
            HttpStatusCode.Unauthorized
        );
    }

    [StoreFact]
    public async Task A_demo_test_run_completes_with_its_full_timeline()
    {
        var agentId = await DemoAgentIdAsync();
        var response = await Admin.PostAsJsonAsync(
            $"/api/agents/{agentId}/runs",
            new { input = new { hello = "world" } },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var sessionId = started.GetProperty("sessionId").GetGuid();

        var detail = await Eventually.Get(
            () => Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}"),
            d => d.GetProperty("session").GetProperty("status").GetString() == "Completed",
            what: "the demo session to complete"
        );

        var session = detail.GetProperty("session");
        Assert.Equal("console", session.GetProperty("triggerType").GetString());
        Assert.True(session.GetProperty("totalTokensUsed").GetInt64() > 0);
        Assert.Equal("world", session.GetProperty("input").GetProperty("hello").GetString());
        Assert.Equal(1, session.GetProperty("runCount").GetInt32());
        var types = detail
            .GetProperty("steps")
            .EnumerateArray()
            .Select(s => s.GetProperty("type").GetString())
            .ToList();
        Assert.Equal(
            [
                "llm_request_prepared",
                "reasoning",
                "ToolCall",
                "ToolResult",
                "llm_request_prepared",
                "reasoning",
                "output",
            ],
            types
        );

        var list = await Admin.GetFromJsonAsync<JsonElement>(
            $"/api/sessions?agentId={agentId}&status=Completed",
            TestContext.Current.CancellationToken
        );
        Assert.Contains(list.GetProperty("items").EnumerateArray(), s => s.GetProperty("id").GetGuid() == sessionId);
    }

    [StoreFact]
    public async Task Terminating_a_finished_session_is_a_409_problem()
    {
        var agentId = await DemoAgentIdAsync();
        var started = await (
            await Admin.PostAsJsonAsync($"/api/agents/{agentId}/runs", new { }, TestContext.Current.CancellationToken)
        ).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var sessionId = started.GetProperty("sessionId").GetGuid();
        await Eventually.Get(
            () => Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}"),
            d => d.GetProperty("session").GetProperty("status").GetString() == "Completed"
        );

        await AssertProblemAsync(
            await Admin.PostAsync($"/api/sessions/{sessionId}/terminate", null, TestContext.Current.CancellationToken),
            HttpStatusCode.Conflict
        );
        await AssertProblemAsync(
            await Admin.PostAsync($"/api/sessions/{sessionId}/complete", null, TestContext.Current.CancellationToken),
            HttpStatusCode.Conflict
        );
    }

    [StoreTheory]
    [InlineData("POST", "/api/agents/{demo}/runs", "{not json")]
    [InlineData("POST", "/api/agents/{demo}/runs", "{\"input\": 42}")]
    [InlineData("POST", "/api/agents/not-a-guid/runs", "{}")]
    [InlineData("GET", "/api/sessions/not-a-guid", null)]
    [InlineData("GET", "/api/sessions?status=Bogus", null)]
    [InlineData("GET", "/api/sessions?take=1000", null)]
    [InlineData("GET", "/api/sessions?skip=-1", null)]
    [InlineData("POST", "/api/runs/{random}/messages", "{\"text\": \"\"}")]
    public async Task Bad_input_is_a_400_problem_never_a_500(string method, string path, string? body)
    {
        path = path.Replace("{demo}", (await DemoAgentIdAsync()).ToString())
            .Replace("{random}", Guid.NewGuid().ToString());
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        await AssertProblemAsync(
            await Admin.SendAsync(request, TestContext.Current.CancellationToken),
            HttpStatusCode.BadRequest
        );
    }

    [StoreFact]
    public async Task Unknown_ids_are_404_problems()
    {
        await AssertProblemAsync(
            await Admin.PostAsJsonAsync(
                $"/api/agents/{Guid.NewGuid()}/runs",
                new { },
                TestContext.Current.CancellationToken
            ),
            HttpStatusCode.NotFound
        );
        await AssertProblemAsync(
            await Admin.GetAsync($"/api/sessions/{Guid.NewGuid()}", TestContext.Current.CancellationToken),
            HttpStatusCode.NotFound
        );
        await AssertProblemAsync(
            await Admin.PostAsync(
                $"/api/sessions/{Guid.NewGuid()}/terminate",
                null,
                TestContext.Current.CancellationToken
            ),
            HttpStatusCode.NotFound
        );
        await AssertProblemAsync(
            await Admin.PostAsJsonAsync(
                $"/api/runs/{Guid.NewGuid()}/messages",
                new { text = "hi" },
                TestContext.Current.CancellationToken
            ),
            HttpStatusCode.NotFound
        );
    }
}
