using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Skein.Testing;

namespace Skein.Engine.Tests.Integrations;

/// <summary>
/// Model-chosen arguments and the integration's server cannot take a call, or its credential, outside the
/// integration: path values are one segment, and redirects are followed only to the same origin.
/// </summary>
public sealed class OperationEgressTests : EngineTestBase
{
    private const string Secret = "egress-token-5d1e8b";
    private RecordingServer _server = null!;
    private RecordingServer _elsewhere = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _server = await RecordingServer.StartAsync(TestContext.Current.CancellationToken);
        _elsewhere = await RecordingServer.StartAsync(TestContext.Current.CancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _elsewhere.DisposeAsync();
        await base.DisposeAsync();
    }

    private static JsonElement ResultOf(Store.Sessions.SessionDetail detail) =>
        Content(detail.Steps.Single(s => s.Type == "ToolResult")).GetProperty("result");

    private async Task<Guid> AgentCallingAsync(string path, object args, string method = "GET")
    {
        var tenant = (await Host.CreateAgentAsync(new AgentSpec())).TenantId;
        await Host.Secrets.SetAsync(tenant, "items-key", Secret, TestContext.Current.CancellationToken);
        await Host.AddOperationAsync(
            new OperationSpec("get_item", _server.BaseUrl + "/api/v1", method, path)
            {
                AuthType = "header",
                AuthHeaderName = "X-Api-Key",
                AuthSecretName = "items-key",
            }
        );
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Operations = ["get_item"], Script = [Calls(("get_item", args)), Says("done")] }
        );
        return agent.AgentId;
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    public async Task A_dot_or_empty_path_value_is_a_tool_error_and_nothing_is_sent(string id)
    {
        var agent = await AgentCallingAsync("/items/{id}", new { id });

        var result = ResultOf(await Host.RunToEndAsync(agent));

        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.Contains("cannot be a path segment", result.GetProperty("error").GetString());
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_path_value_with_slashes_and_dots_stays_one_segment_under_the_base_url()
    {
        var agent = await AgentCallingAsync("/items/{id}", new { id = "../../admin" });

        await Host.RunToEndAsync(agent);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/api/v1/items/..%2F..%2Fadmin", request.RawTarget);
    }

    [Fact]
    public async Task A_redirect_to_another_origin_is_not_followed_and_the_credential_never_leaves()
    {
        _server.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = _elsewhere.BaseUrl + "/steal";
            return Task.CompletedTask;
        };
        var agent = await AgentCallingAsync("/items/{id}", new { id = "7" });

        var result = ResultOf(await Host.RunToEndAsync(agent));

        Assert.Single(_server.Requests);
        Assert.Empty(_elsewhere.Requests);
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.StartsWith("HTTP 302", result.GetProperty("error").GetString());
        Assert.Contains("another origin", result.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_same_origin_redirect_is_followed_with_the_credential()
    {
        _server.Respond = (context, request) =>
        {
            if (request.Path.EndsWith("/old", StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
                context.Response.Headers.Location = "/api/v1/items/new";
                return Task.CompletedTask;
            }

            return context.Response.WriteAsJsonAsync(new { moved = true });
        };
        var agent = await AgentCallingAsync("/items/{id}", new { id = "old" });

        var result = ResultOf(await Host.RunToEndAsync(agent));

        Assert.True(result.GetProperty("data").GetProperty("moved").GetBoolean());
        Assert.Equal(["/api/v1/items/old", "/api/v1/items/new"], _server.Requests.Select(r => r.Path));
        Assert.All(_server.Requests, r => Assert.Equal(Secret, r.Header("X-Api-Key")));
    }

    [Fact]
    public async Task A_redirect_loop_stops_after_five_hops()
    {
        _server.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = "/api/v1/items/again";
            return Task.CompletedTask;
        };
        var agent = await AgentCallingAsync("/items/{id}", new { id = "7" });

        var result = ResultOf(await Host.RunToEndAsync(agent));

        Assert.Equal(6, _server.Requests.Count);
        Assert.Contains("more than 5 redirects", result.GetProperty("error").GetString());
    }
}
