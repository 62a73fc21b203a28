using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Skein.Server.Tests.Hardening;

/// <summary>
/// The causes of the 500s an outside fuzz run found (issue 15, item 17), each at its own layer: bogus charsets on
/// JSON routes (415), run input nested too deep or holding lone surrogates (400), and concurrent duplicate creates
/// (one 201, the rest 409).
/// </summary>
public sealed class MalformedRequestTests(ApiServers servers) : ApiTests(servers)
{
    private static ByteArrayContent Json(string body, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    [StoreTheory]
    [InlineData("application/json; charset=bogus")]
    [InlineData("application/json; charset=utf-7")]
    [InlineData("application/json; charset=\"\"")]
    public async Task A_json_body_with_a_bogus_charset_is_415_on_public_and_admin_routes(string contentType)
    {
        var demo = await Server.DemoAgentAsync();
        using var api = Server.CreateApiClient();

        var start = await api.PostAsync($"/v1/agents/{demo.AgentId}/runs", Json("{\"input\":{}}", contentType), Ct);
        var create = await Admin.PostAsync("/api/agents", Json("{\"name\":\"x\"}", contentType), Ct);

        foreach (var response in new[] { start, create })
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [StoreTheory]
    [InlineData(33)]
    [InlineData(62)]
    [InlineData(63)]
    public async Task Run_input_nested_deeper_than_the_limit_is_400(int depth)
    {
        var demo = await Server.DemoAgentAsync();
        using var api = Server.CreateApiClient();
        var input = string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{}" + new string('}', depth - 1);

        var response = await api.PostAsync(
            $"/v1/agents/{demo.AgentId}/runs",
            Json("{\"input\":" + input + "}", "application/json"),
            Ct
        );
        var console = await Admin.PostAsync(
            $"/api/agents/{demo.AgentId}/runs",
            Json("{\"input\":" + input + "}", "application/json"),
            Ct
        );

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, console.StatusCode);
    }

    [StoreFact]
    public async Task Run_input_nested_to_the_limit_still_starts()
    {
        var demo = await Server.DemoAgentAsync();
        using var api = Server.CreateApiClient();
        var input = string.Concat(Enumerable.Repeat("{\"a\":", 31)) + "{}" + new string('}', 31);

        var response = await api.PostAsync(
            $"/v1/agents/{demo.AgentId}/runs",
            Json("{\"input\":" + input + "}", "application/json"),
            Ct
        );

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [StoreTheory]
    [InlineData("""{"input":{"a":"\ud800"}}""")]
    [InlineData("""{"input":{"\udfff":1}}""")]
    [InlineData("""{"input":{"n":1e999}}""")]
    public async Task Run_input_that_cannot_be_stored_is_400(string body)
    {
        var demo = await Server.DemoAgentAsync();
        using var api = Server.CreateApiClient();

        var response = await api.PostAsync($"/v1/agents/{demo.AgentId}/runs", Json(body, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [StoreFact]
    public async Task Concurrent_creates_of_one_agent_name_give_one_201_and_409s()
    {
        var name = "race-" + Guid.NewGuid().ToString("N")[..8];

        var statuses = await RaceAsync(() => Admin.PostAsJsonAsync("/api/agents", new { name }, Ct));

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
    }

    [StoreFact]
    public async Task Concurrent_creates_of_one_trigger_name_give_one_201_and_409s()
    {
        var demo = await Server.DemoAgentAsync();
        var name = "race-" + Guid.NewGuid().ToString("N")[..8];

        var statuses = await RaceAsync(() =>
            Admin.PostAsJsonAsync($"/api/agents/{demo.AgentId}/triggers", new { type = "event", name }, Ct)
        );

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
    }

    [StoreFact]
    public async Task Concurrent_version_creates_never_answer_500()
    {
        var demo = await Server.DemoAgentAsync();

        var statuses = await RaceAsync(() =>
            Admin.PostAsJsonAsync($"/api/agents/{demo.AgentId}/versions", new { }, Ct)
        );

        Assert.Contains(HttpStatusCode.Created, statuses);
        Assert.All(statuses, s => Assert.True((int)s < 500, $"{(int)s}"));
    }

    private static async Task<HttpStatusCode[]> RaceAsync(Func<Task<HttpResponseMessage>> send)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(send)));
        return [.. responses.Select(r => r.StatusCode)];
    }
}
