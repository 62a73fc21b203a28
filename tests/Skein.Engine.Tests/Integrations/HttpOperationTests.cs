using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Skein.Testing;

namespace Skein.Engine.Tests.Integrations;

/// <summary>HTTP operations against a real local server: request mapping, auth from a secret, schema checks,
/// timeouts.</summary>
public sealed class HttpOperationTests : EngineTestBase
{
    private const string Secret = "s3cr3t-token-7f3a9c1e";
    private RecordingServer _server = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _server = await RecordingServer.StartAsync(TestContext.Current.CancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task<Guid> TenantAsync() => (await Host.CreateAgentAsync(new AgentSpec())).TenantId;

    private static JsonElement ResultOf(Store.Sessions.SessionDetail detail) =>
        Content(detail.Steps.Single(s => s.Type == "ToolResult")).GetProperty("result");

    [Fact]
    public async Task A_get_fills_the_path_template_sends_leftover_arguments_as_query_and_carries_the_bearer_secret()
    {
        await Host.Secrets.SetAsync(await TenantAsync(), "crm-token", Secret, TestContext.Current.CancellationToken);
        await Host.AddOperationAsync(
            new OperationSpec("get_order", _server.BaseUrl, "GET", "/customers/{customerId}/orders/{orderId}")
            {
                AuthType = "bearer",
                AuthSecretName = "crm-token",
            }
        );
        _server.Respond = (context, _) => context.Response.WriteAsJsonAsync(new { status = "shipped" });
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = ["get_order"],
                Script =
                [
                    Calls(
                        (
                            "get_order",
                            new
                            {
                                customerId = "c 7/x",
                                orderId = 42,
                                expand = "lines & more",
                            }
                        )
                    ),
                    Says("done"),
                ],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/customers/c%207%2Fx/orders/42?expand=lines%20%26%20more", request.RawTarget);
        Assert.Equal($"Bearer {Secret}", request.Header("Authorization"));
        Assert.NotNull(request.Header("Idempotency-Key"));
        var result = ResultOf(detail);
        Assert.True(result.GetProperty("successful").GetBoolean());
        Assert.Equal("shipped", result.GetProperty("data").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_post_sends_leftover_arguments_as_the_json_body_with_the_secret_in_a_custom_header()
    {
        await Host.Secrets.SetAsync(await TenantAsync(), "billing-key", Secret, TestContext.Current.CancellationToken);
        await Host.AddOperationAsync(
            new OperationSpec("create_refund", _server.BaseUrl, "POST", "/orders/{orderId}/refunds")
            {
                AuthType = "header",
                AuthHeaderName = "X-Api-Key",
                AuthSecretName = "billing-key",
            }
        );
        _server.Respond = (context, _) => context.Response.WriteAsync("refund queued");
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = ["create_refund"],
                Script =
                [
                    Calls(
                        (
                            "create_refund",
                            new
                            {
                                orderId = "o-1",
                                amount = 12.5,
                                reason = "damaged",
                            }
                        )
                    ),
                    Says("done"),
                ],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/orders/o-1/refunds", request.Path);
        Assert.Equal(Secret, request.Header("X-Api-Key"));
        Assert.Null(request.Header("Authorization"));
        var body = SkeinJsonParse(request.Body);
        Assert.Equal(12.5, body.GetProperty("amount").GetDouble());
        Assert.Equal("damaged", body.GetProperty("reason").GetString());
        Assert.Equal("refund queued", ResultOf(detail).GetProperty("data").GetString());
    }

    [Fact]
    public async Task Arguments_that_break_the_schema_are_a_tool_error_and_no_request_is_sent()
    {
        await Host.AddOperationAsync(
            new OperationSpec("create_refund", _server.BaseUrl, "POST", "/refunds")
            {
                ArgumentsSchema =
                    """{"type":"object","properties":{"amount":{"type":"number","minimum":0}},"required":"""
                    + """["amount"],"additionalProperties":false}""",
            }
        );
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = ["create_refund"],
                Script = [Calls(("create_refund", new { amount = "lots" })), Says("I could not refund")],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var result = ResultOf(detail);
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.Contains("schema", result.GetProperty("error").GetString());
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_call_slower_than_the_operation_timeout_is_a_timeout_tool_error()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Respond = async (context, _) =>
        {
            // Held until the test ends (or the client gives up): the operation's own timeout must end the call.
            await Task.WhenAny(release.Task, Task.Delay(Timeout.Infinite, context.RequestAborted));
        };
        await Host.AddOperationAsync(
            new OperationSpec("slow_lookup", _server.BaseUrl, "GET", "/slow") { TimeoutSec = 1 }
        );
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Operations = ["slow_lookup"], Script = [Calls(("slow_lookup", new { })), Says("too slow")] }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);
        release.TrySetResult();

        Assert.Equal("Completed", detail.Session.Status);
        var result = ResultOf(detail);
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.Equal("slow_lookup timed out after 1 s", result.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_server_that_echoes_the_credential_never_gets_it_into_the_step_contents()
    {
        await Host.Secrets.SetAsync(await TenantAsync(), "echo-token", Secret, TestContext.Current.CancellationToken);
        await Host.AddOperationAsync(
            new OperationSpec("echo_headers", _server.BaseUrl, "GET", "/echo")
            {
                AuthType = "bearer",
                AuthSecretName = "echo-token",
            }
        );
        await Host.AddOperationAsync(
            new OperationSpec("echo_fail", _server.BaseUrl, "GET", "/fail")
            {
                AuthType = "bearer",
                AuthSecretName = "echo-token",
            }
        );
        _server.Respond = (context, request) =>
        {
            context.Response.StatusCode = request.Path == "/fail" ? 500 : 200;
            return context.Response.WriteAsJsonAsync(new { youSent = request.Header("Authorization") });
        };
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = ["echo_headers", "echo_fail"],
                Script = [Calls(("echo_headers", new { }), ("echo_fail", new { })), Says("done")],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal(2, _server.Requests.Count);
        Assert.All(detail.Steps, s => Assert.DoesNotContain(Secret, s.Content));
        Assert.DoesNotContain(Secret, detail.Session.Output ?? "");
        Assert.Equal(2, detail.Steps.Count(s => s.Type == "ToolResult"));
    }

    [Fact]
    public async Task An_integration_whose_auth_secret_is_missing_fails_the_call_with_a_clear_tool_error()
    {
        await Host.AddOperationAsync(
            new OperationSpec("needs_auth", _server.BaseUrl, "GET", "/x")
            {
                AuthType = "bearer",
                AuthSecretName = "never-set",
            }
        );
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Operations = ["needs_auth"], Script = [Calls(("needs_auth", new { })), Says("no auth")] }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Contains("'never-set' is not set", ResultOf(detail).GetProperty("error").GetString());
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task An_idempotent_operation_is_retried_after_a_transient_failure_and_a_plain_one_is_not()
    {
        var calls = 0;
        _server.Respond = (context, _) =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref calls) == 1 ? 503 : 200;
            return context.Response.WriteAsJsonAsync(new { attempt = calls });
        };
        await Host.AddOperationAsync(
            new OperationSpec("safe_read", _server.BaseUrl, "GET", "/safe") { Idempotent = true }
        );
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Operations = ["safe_read"], Script = [Calls(("safe_read", new { })), Says("done")] }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(_server.Requests[0].Header("Idempotency-Key"), _server.Requests[1].Header("Idempotency-Key"));
        Assert.True(ResultOf(detail).GetProperty("successful").GetBoolean());

        calls = 0;
        await Host.AddOperationAsync(new OperationSpec("unsafe_write", _server.BaseUrl, "POST", "/unsafe"));
        var second = await Host.CreateAgentAsync(
            new AgentSpec { Operations = ["unsafe_write"], Script = [Calls(("unsafe_write", new { })), Says("done")] }
        );
        var failed = await Host.RunToEndAsync(second.AgentId);

        Assert.Single(_server.Requests, r => r.Path == "/unsafe");
        Assert.False(ResultOf(failed).GetProperty("successful").GetBoolean());
    }

    private static JsonElement SkeinJsonParse(string text) => Core.SkeinJson.Parse(text);
}
