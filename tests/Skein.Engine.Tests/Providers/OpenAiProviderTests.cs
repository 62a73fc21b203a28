using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Engine.Models;
using Skein.Engine.Tools;
using Skein.Store.Rows;
using Skein.Testing;

namespace Skein.Engine.Tests.Providers;

/// <summary>The <c>openai</c> provider end to end: real engine and SDK against a local server speaking the wire
/// format.</summary>
public sealed class OpenAiProviderTests : IAsyncLifetime
{
    private const string ApiKey = "sk-test-4f2a";
    private const string Model = "gpt-test";

    private readonly TempDirectory _dir = new();
    private FakeOpenAiServer _server = null!;
    private EngineTestHost _host = null!;

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync(CancellationToken);
        _host = await EngineTestHost.StartAsync(_dir.File("skein.db"));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_run_through_the_openai_provider_executes_the_requested_tool_and_completes()
    {
        _server.Enqueue(
            FakeReply.Call("call_abc", EchoTool.ToolName, """{"x":1}""", promptTokens: 10, completionTokens: 5),
            FakeReply.Say("all done", promptTokens: 20, completionTokens: 7)
        );
        var agent = await _host.CreateAgentAsync(OpenAiAgent() with { Operations = [EchoTool.ToolName] });

        var detail = await _host.RunToEndAsync(agent.AgentId, new { question = "hi" });

        Assert.Equal("Completed", detail.Session.Status);
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
            detail.Steps.Select(s => s.Type)
        );
        Assert.Equal(15 + 27, detail.Session.TotalTokensUsed);
        Assert.Equal("\"all done\"", detail.Session.Output);

        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal(FakeOpenAiServer.CompletionsPath, r.Path);
            Assert.Equal($"Bearer {ApiKey}", r.Authorization);
            Assert.Equal(Model, r.Json.GetProperty("model").GetString());
        });

        var tool = Assert.Single(requests[0].Json.GetProperty("tools").EnumerateArray());
        Assert.Equal("function", tool.GetProperty("type").GetString());
        Assert.Equal(EchoTool.ToolName, tool.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("object", tool.GetProperty("function").GetProperty("parameters").GetProperty("type").GetString());

        var messages = requests[1].Json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["system", "user", "assistant", "tool"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("""{"question":"hi"}""", messages[1].GetProperty("content").GetString());
        var call = Assert.Single(messages[2].GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("call_abc", call.GetProperty("id").GetString());
        Assert.Equal(EchoTool.ToolName, call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(
            1,
            SkeinJson
                .Parse(call.GetProperty("function").GetProperty("arguments").GetString()!)
                .GetProperty("x")
                .GetInt32()
        );
        Assert.Equal("call_abc", messages[3].GetProperty("tool_call_id").GetString());
        var result = SkeinJson.Parse(messages[3].GetProperty("content").GetString()!);
        Assert.True(result.GetProperty("successful").GetBoolean());
        Assert.Equal(1, result.GetProperty("data").GetProperty("x").GetInt32());
    }

    [Fact]
    public async Task Streaming_assembles_the_text_a_tool_call_split_across_chunks_and_the_usage()
    {
        _server.Enqueue(
            new FakeReply
            {
                Text = "Let me echo that.",
                ToolCalls = [new FakeToolCall("call_s1", EchoTool.ToolName, """{"text":"hello","n":3}""")],
                Usage = new FakeUsage(12, 9),
            }
        );
        var chat = CreateChatClient(_server.BaseUrl);
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.CreateDeclaration(EchoTool.ToolName, "Echo", new EchoTool().ParametersSchema)],
        };

        var response = await chat.GetStreamingResponseAsync(
                [new ChatMessage(ChatRole.User, "echo hello")],
                options,
                CancellationToken
            )
            .ToChatResponseAsync(CancellationToken);

        Assert.Equal("Let me echo that.", response.Text);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("call_s1", call.CallId);
        Assert.Equal(EchoTool.ToolName, call.Name);
        var arguments = JsonSerializer.SerializeToElement(call.Arguments, AIJsonUtilities.DefaultOptions);
        Assert.Equal("hello", arguments.GetProperty("text").GetString());
        Assert.Equal(3, arguments.GetProperty("n").GetInt32());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(12, response.Usage?.InputTokenCount);
        Assert.Equal(9, response.Usage?.OutputTokenCount);
        Assert.Equal(21, response.Usage?.TotalTokenCount);

        var request = Assert.Single(_server.Requests).Json;
        Assert.True(request.GetProperty("stream").GetBoolean());
        Assert.True(request.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    public async Task The_sdk_posts_to_chat_completions_under_the_base_url_with_or_without_a_trailing_slash(
        string suffix
    )
    {
        _server.Enqueue(FakeReply.Say("hello"));

        var response = await CreateChatClient(_server.BaseUrl + suffix)
            .GetResponseAsync("hi", cancellationToken: CancellationToken);

        Assert.Equal("hello", response.Text);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal(FakeOpenAiServer.CompletionsPath, request.Path);
    }

    [Fact]
    public async Task A_provider_failing_with_500_every_time_fails_the_run_after_three_tries_and_the_engine_serves_on()
    {
        // No retry budget: the run fails once the in-process retries are spent (ProviderFaultTests park it).
        await _host.DisposeAsync();
        _host = await EngineTestHost.StartAsync(_dir.File("skein.db"), configure: o =>
            o.ProviderRetryBudget = TimeSpan.Zero
        );
        _server.Enqueue(FakeReply.Error(500), FakeReply.Error(500), FakeReply.Error(500));
        var failing = await _host.CreateAgentAsync(OpenAiAgent());

        var failed = await _host.RunToEndAsync(failing.AgentId);

        Assert.Equal("Failed", failed.Session.Status);
        Assert.StartsWith("model provider error:", Assert.Single(failed.Runs).Error);
        Assert.Contains("HTTP 500", failed.Runs[0].Error);
        Assert.Contains("scripted failure 500", failed.Runs[0].Error);
        Assert.Equal(3, _server.Requests.Count);

        _server.Enqueue(FakeReply.Say("still serving"));
        var healthy = await _host.CreateAgentAsync(OpenAiAgent());
        var completed = await _host.RunToEndAsync(healthy.AgentId);
        Assert.Equal("Completed", completed.Session.Status);
        Assert.Equal("\"still serving\"", completed.Session.Output);
        Assert.Equal(4, _server.Requests.Count);
    }

    [Fact]
    public async Task A_provider_slower_than_the_model_call_timeout_fails_the_run_with_a_timeout_error()
    {
        // Long enough that a loaded machine still gets the request to the server before the timeout fires.
        await using var host = await EngineTestHost.StartAsync(_dir.File("timeout.db"), configure: o =>
            o.ModelCallTimeout = TimeSpan.FromSeconds(3)
        );
        _server.Enqueue(FakeReply.Say("too late") with { Delay = TimeSpan.FromSeconds(30) });
        var agent = await host.CreateAgentAsync(OpenAiAgent());

        var detail = await host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Failed", detail.Session.Status);
        Assert.Equal("model provider error: the model call timed out after 3 s", Assert.Single(detail.Runs).Error);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task A_malformed_response_body_fails_the_run_with_a_model_provider_error()
    {
        _server.Enqueue(FakeReply.Malformed());
        var agent = await _host.CreateAgentAsync(OpenAiAgent());

        var detail = await _host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Failed", detail.Session.Status);
        // Model calls stream: a body that is not an event stream at all is a malformed reply (no events, no
        // choices), whatever it holds instead.
        Assert.StartsWith("model provider error: the reply is malformed:", Assert.Single(detail.Runs).Error);
        Assert.Contains("not valid JSON", detail.Runs[0].Error);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task A_429_followed_by_success_is_retried_and_the_run_completes()
    {
        _server.Enqueue(FakeReply.Error(429), FakeReply.Say("after the retry"));
        var agent = await _host.CreateAgentAsync(OpenAiAgent());

        var detail = await _host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        Assert.Equal("\"after the retry\"", detail.Session.Output);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task A_rotated_provider_key_is_used_by_the_very_next_run_start()
    {
        _server.Enqueue(FakeReply.Say("first"), FakeReply.Say("second"));
        var spec = OpenAiAgent();
        var agent = await _host.CreateAgentAsync(spec);
        Assert.Equal("Completed", (await _host.RunToEndAsync(agent.AgentId)).Session.Status);

        // Run starts reuse a resolved version briefly; a secret write must drop it at once, not after the cache's
        // lifetime.
        await _host.Secrets.SetAsync(
            agent.TenantId,
            $"provider-key-{spec.Name}",
            "sk-rotated-key",
            TestContext.Current.CancellationToken
        );
        Assert.Equal("Completed", (await _host.RunToEndAsync(agent.AgentId)).Session.Status);

        Assert.Equal([$"Bearer {ApiKey}", "Bearer sk-rotated-key"], _server.Requests.Select(r => r.Authorization));
    }

    private AgentSpec OpenAiAgent() =>
        new()
        {
            ProviderKind = ModelClientFactory.OpenAI,
            ProviderBaseUrl = _server.BaseUrl,
            ProviderApiKey = ApiKey,
            Model = Model,
        };

    /// <summary>The client the engine would build for an <c>openai</c> provider, from the host's own factory.</summary>
    private IChatClient CreateChatClient(string baseUrl)
    {
        var provider = new LlmProviderRow
        {
            Id = Guid.NewGuid(),
            Name = "fake-openai",
            Kind = ModelClientFactory.OpenAI,
            BaseUrl = baseUrl,
        };
        var version = new VersionSnapshot
        {
            AgentId = Guid.NewGuid(),
            AgentName = "streaming",
            ExecutionMode = ExecutionMode.Request,
            AgentVersionId = Guid.NewGuid(),
            VersionLabel = "v1",
            LlmProviderId = provider.Id,
            ProviderKind = provider.Kind,
            Model = Model,
        };
        return _host.Services.GetRequiredService<ModelClientFactory>().Create(version, provider, ApiKey);
    }
}
