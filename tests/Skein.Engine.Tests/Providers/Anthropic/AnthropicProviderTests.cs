using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Engine.Models;
using Skein.Engine.Tools;
using Skein.Store.Rows;
using Skein.Testing;

namespace Skein.Engine.Tests.Providers.Anthropic;

/// <summary>The <c>anthropic</c> provider end to end: the real engine and the official SDK's <see cref="IChatClient"/>
/// against a local server speaking the Messages API wire format.</summary>
public sealed class AnthropicProviderTests : IAsyncLifetime
{
    private const string ApiKey = "sk-ant-test-7c1d";
    private const string Model = "claude-test-1";

    private readonly TempDirectory _dir = new();
    private FakeAnthropicServer _server = null!;
    private EngineTestHost _host = null!;

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeAnthropicServer.StartAsync(CancellationToken);
        _host = await EngineTestHost.StartAsync(_dir.File("skein.db"));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_run_through_the_anthropic_provider_uses_a_tool_and_completes()
    {
        _server.Enqueue(
            AnthropicReply.Use("toolu_01", EchoTool.ToolName, """{"x":1}""", inputTokens: 10),
            AnthropicReply.Say("all done", inputTokens: 20, outputTokens: 7)
        );
        var agent = await _host.CreateAgentAsync(AnthropicAgent() with { Operations = [EchoTool.ToolName] });

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
            Assert.Equal(FakeAnthropicServer.MessagesPath, r.Path);
            Assert.Equal(ApiKey, r.ApiKey);
            Assert.Equal("", r.Authorization);
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", r.Version);
            Assert.Equal(Model, r.Json.GetProperty("model").GetString());
            Assert.True(r.Json.GetProperty("max_tokens").GetInt32() > 0);
        });

        var first = requests[0].Json;
        Assert.Contains("You are a test agent.", SystemText(first));
        var tool = Assert.Single(first.GetProperty("tools").EnumerateArray());
        Assert.Equal(EchoTool.ToolName, tool.GetProperty("name").GetString());
        Assert.Equal("object", tool.GetProperty("input_schema").GetProperty("type").GetString());

        // The second turn carries the assistant's tool_use block and the user's tool_result block under the same id.
        var messages = requests[1].Json.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m.GetProperty("role").GetString()));
        var use = Blocks(messages[1]).Single(b => b.GetProperty("type").GetString() == "tool_use");
        Assert.Equal("toolu_01", use.GetProperty("id").GetString());
        Assert.Equal(EchoTool.ToolName, use.GetProperty("name").GetString());
        Assert.Equal(1, use.GetProperty("input").GetProperty("x").GetInt32());
        var result = Blocks(messages[2]).Single(b => b.GetProperty("type").GetString() == "tool_result");
        Assert.Equal("toolu_01", result.GetProperty("tool_use_id").GetString());
        var content = SkeinJson.Parse(ResultText(result));
        Assert.True(content.GetProperty("successful").GetBoolean());
        Assert.Equal(1, content.GetProperty("data").GetProperty("x").GetInt32());
    }

    [Fact]
    public async Task Streaming_delivers_text_deltas_in_order_and_assembles_the_tool_use_and_cached_usage()
    {
        _server.Enqueue(
            new AnthropicReply
            {
                Text = "Let me echo that.",
                ToolUses = [new AnthropicToolUse("toolu_s1", EchoTool.ToolName, """{"text":"hello","n":3}""")],
                Usage = new AnthropicUsage(12, 9, CacheReadInputTokens: 30),
            }
        );
        var chat = CreateChatClient(_server.Root);
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.CreateDeclaration(EchoTool.ToolName, "Echo", new EchoTool().ParametersSchema)],
        };

        var updates = new List<ChatResponseUpdate>();
        await foreach (
            var update in chat.GetStreamingResponseAsync(
                [new ChatMessage(ChatRole.User, "echo hello")],
                options,
                CancellationToken
            )
        )
        {
            updates.Add(update);
        }

        var texts = updates.Select(u => u.Text).Where(t => t.Length > 0).ToList();
        Assert.True(texts.Count > 1, $"the text came in {texts.Count} delta(s)");
        Assert.Equal("Let me echo that.", string.Concat(texts));
        var response = updates.ToChatResponse();
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("toolu_s1", call.CallId);
        Assert.Equal(EchoTool.ToolName, call.Name);
        var arguments = JsonSerializer.SerializeToElement(call.Arguments, AIJsonUtilities.DefaultOptions);
        Assert.Equal("hello", arguments.GetProperty("text").GetString());
        Assert.Equal(3, arguments.GetProperty("n").GetInt32());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(9, response.Usage?.OutputTokenCount);
        Assert.Equal(30, response.Usage?.CachedInputTokenCount);

        var request = Assert.Single(_server.Requests).Json;
        Assert.True(request.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task A_whole_message_reports_cache_reads_as_cached_input_tokens()
    {
        _server.Enqueue(new AnthropicReply { Text = "cached", Usage = new AnthropicUsage(4, 3, 100) });

        var response = await CreateChatClient(_server.Root)
            .GetResponseAsync("hi", cancellationToken: CancellationToken);

        Assert.Equal("cached", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(3, response.Usage?.OutputTokenCount);
        Assert.Equal(100, response.Usage?.CachedInputTokenCount);
        Assert.True(response.Usage?.InputTokenCount >= 4, $"input tokens {response.Usage?.InputTokenCount}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/v1")]
    [InlineData("/v1/")]
    public async Task The_base_url_is_the_api_root_with_or_without_v1(string suffix)
    {
        _server.Enqueue(AnthropicReply.Say("hello"));

        var response = await CreateChatClient(_server.Root + suffix)
            .GetResponseAsync("hi", cancellationToken: CancellationToken);

        Assert.Equal("hello", response.Text);
        Assert.Equal(FakeAnthropicServer.MessagesPath, Assert.Single(_server.Requests).Path);
    }

    [Fact]
    public async Task A_429_with_retry_after_is_retried_after_the_advised_delay_and_the_run_completes()
    {
        _server.Enqueue(AnthropicReply.Error(429, retryAfterSeconds: 1), AnthropicReply.Say("after the wait"));
        var agent = await _host.CreateAgentAsync(AnthropicAgent());

        var detail = await _host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        Assert.Equal("\"after the wait\"", detail.Session.Output);
        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);

        // A lower bound only: the retry waited for the server's retry-after (1 s), not the 200 ms back-off.
        var gap = TimeProvider.System.GetElapsedTime(requests[0].Timestamp, requests[1].Timestamp);
        Assert.True(gap >= TimeSpan.FromMilliseconds(900), $"retried after {gap.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task An_overloaded_provider_529_is_retried_and_the_run_completes()
    {
        _server.Enqueue(AnthropicReply.Error(529), AnthropicReply.Say("recovered"));
        var agent = await _host.CreateAgentAsync(AnthropicAgent());

        var detail = await _host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        Assert.Equal("\"recovered\"", detail.Session.Output);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task A_provider_overloaded_every_time_fails_the_run_with_the_providers_error()
    {
        // No retry budget: the run fails once the in-process retries are spent (ProviderFaultTests park it).
        await _host.DisposeAsync();
        _host = await EngineTestHost.StartAsync(_dir.File("skein.db"), configure: o =>
            o.ProviderRetryBudget = TimeSpan.Zero
        );
        _server.Enqueue(AnthropicReply.Error(529), AnthropicReply.Error(529), AnthropicReply.Error(529));
        var agent = await _host.CreateAgentAsync(AnthropicAgent());

        var detail = await _host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Failed", detail.Session.Status);
        var error = Assert.Single(detail.Runs).Error ?? "";
        Assert.Equal("model provider error: HTTP 529 overloaded_error: scripted failure 529", error);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task The_connection_test_lists_the_models_with_the_key_and_version_headers()
    {
        var test = _host.Services.GetRequiredService<ProviderConnectionTest>();

        var result = await test.RunAsync(Provider(_server.Root), ApiKey, CancellationToken);

        Assert.True(result.Ok, result.Error);
        Assert.Equal("anthropic", result.Kind);
        Assert.Equal(["claude-test-1", "claude-test-2"], result.Models);
        var request = Assert.Single(_server.Requests);
        Assert.Equal(("GET", FakeAnthropicServer.ModelsPath), (request.Method, request.Path));
        Assert.Equal(ApiKey, request.ApiKey);
        Assert.Equal("2023-06-01", request.Version);
    }

    private AgentSpec AnthropicAgent() =>
        new()
        {
            ProviderKind = ModelClientFactory.Anthropic,
            ProviderBaseUrl = _server.Root,
            ProviderApiKey = ApiKey,
            Model = Model,
        };

    private static LlmProviderRow Provider(string baseUrl) =>
        new()
        {
            Id = Guid.NewGuid(),
            Name = "fake-anthropic",
            Kind = ModelClientFactory.Anthropic,
            BaseUrl = baseUrl,
        };

    /// <summary>The client the engine would build for an <c>anthropic</c> provider, from the host's own
    /// factory.</summary>
    private IChatClient CreateChatClient(string baseUrl)
    {
        var provider = Provider(baseUrl);
        var version = new VersionSnapshot
        {
            AgentId = Guid.NewGuid(),
            AgentName = "anthropic",
            ExecutionMode = ExecutionMode.Request,
            AgentVersionId = Guid.NewGuid(),
            VersionLabel = "v1",
            LlmProviderId = provider.Id,
            ProviderKind = provider.Kind,
            Model = Model,
        };
        return _host.Services.GetRequiredService<ModelClientFactory>().Create(version, provider, ApiKey);
    }

    private static IEnumerable<JsonElement> Blocks(JsonElement message) =>
        message.GetProperty("content") is { ValueKind: JsonValueKind.Array } blocks ? blocks.EnumerateArray() : [];

    private static string SystemText(JsonElement request) =>
        request.GetProperty("system") is { ValueKind: JsonValueKind.String } text
            ? text.GetString() ?? ""
            : string.Concat(
                request.GetProperty("system").EnumerateArray().Select(b => b.GetProperty("text").GetString())
            );

    private static string ResultText(JsonElement result) =>
        result.GetProperty("content") is { ValueKind: JsonValueKind.String } text
            ? text.GetString() ?? ""
            : string.Concat(
                result.GetProperty("content").EnumerateArray().Select(b => b.GetProperty("text").GetString())
            );
}
