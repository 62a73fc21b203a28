using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Server.Tests.Usage;

/// <summary>
/// SPEC section 12, usage and cost: every model step records input, output and cached tokens and its cost from the
/// provider's per-model prices; runs and sessions carry totalCostUsd; a provider that reports no usage is flagged on
/// the step, never a silent 0. Against a local OpenAI wire fake.
/// </summary>
public sealed class UsageCostTests(ApiServers servers) : ApiTests(servers), IAsyncLifetime
{
    private const string Model = "gpt-usage";
    private UsageModelFake _model = null!;

    public async ValueTask InitializeAsync() => _model = await UsageModelFake.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _model.DisposeAsync();

    private async Task<ApiAgent> PricedAgentAsync(object? prices)
    {
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                ProviderKind = "openai",
                ProviderBaseUrl = _model.BaseUrl,
                Model = Model,
                Operations = [EchoTool.ToolName],
            }
        );
        await using var db = await Server.Contexts.CreateDbContextAsync(Ct);
        var providerId = await db.Agents.Where(a => a.Id == agent.AgentId).Select(a => a.LlmProviderId).SingleAsync(Ct);
        if (prices is not null)
        {
            var put = await Admin.PutAsJsonAsync($"/api/providers/{providerId}", new { prices }, Ct);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var saved = await put.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(2.5m, saved.GetProperty("prices").GetProperty(Model).GetProperty("inputPerMTok").GetDecimal());
        }

        return agent;
    }

    private static async Task<(JsonElement Run, JsonElement Conversation)> RunToEndAsync(ApiAgent agent)
    {
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId, new { q = 1 })).GetProperty("runId").GetGuid();
        var run = await Runs.WaitForAsync(agent.Client, runId, "Completed", "Failed");
        Assert.Equal("Completed", run.GetProperty("status").GetString());
        var conversation = await agent.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/runs/{runId}/conversation?stepContent=full",
            Ct
        );
        return (run, conversation);
    }

    private static List<JsonElement> Reasoning(JsonElement conversation) =>
        [
            .. conversation
                .GetProperty("items")
                .EnumerateArray()
                .Where(i => i.GetProperty("type").GetString() == "reasoning")
                .Select(i => i.GetProperty("content")),
        ];

    [StoreFact]
    public async Task Model_steps_record_the_usage_split_and_cost_and_runs_and_sessions_total_it()
    {
        var agent = await PricedAgentAsync(
            new Dictionary<string, object>
            {
                [Model] = new
                {
                    inputPerMTok = 2.5m,
                    outputPerMTok = 10m,
                    cachedInputPerMTok = 1.25m,
                },
            }
        );
        _model.Enqueue(
            new UsageReply(null, new ReplyToolCall("call_1", EchoTool.ToolName, """{"n":1}"""), new(1000, 50, 400)),
            new UsageReply("done", null, new(1200, 20, 1000))
        );

        var (run, conversation) = await RunToEndAsync(agent);

        var steps = Reasoning(conversation);
        Assert.Equal(2, steps.Count);
        Assert.Equal(1000, steps[0].GetProperty("input_tokens").GetInt64());
        Assert.Equal(50, steps[0].GetProperty("output_tokens").GetInt64());
        Assert.Equal(400, steps[0].GetProperty("cached_input_tokens").GetInt64());
        Assert.False(steps[0].TryGetProperty("usage_missing", out _));
        // (600 × 2.5 + 400 × 1.25 + 50 × 10) / 1e6 and (200 × 2.5 + 1000 × 1.25 + 20 × 10) / 1e6
        Assert.Equal(0.0025m, steps[0].GetProperty("cost_usd").GetDecimal());
        Assert.Equal(0.00195m, steps[1].GetProperty("cost_usd").GetDecimal());
        Assert.Equal(1050, steps[0].GetProperty("tokens_used").GetInt64());

        Assert.Equal(0.00445m, run.GetProperty("totalCostUsd").GetDecimal());
        Assert.Equal(2270, run.GetProperty("totalTokensUsed").GetInt64());
        Assert.Equal(0.00445m, conversation.GetProperty("session").GetProperty("totalCostUsd").GetDecimal());
        Assert.Equal(0.00445m, conversation.GetProperty("runs")[0].GetProperty("totalCostUsd").GetDecimal());
        var sessionId = conversation.GetProperty("session").GetProperty("id").GetGuid();
        var admin = await Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}", Ct);
        Assert.Equal(0.00445m, admin.GetProperty("session").GetProperty("totalCostUsd").GetDecimal());
        Assert.Equal(0.00445m, admin.GetProperty("runs")[0].GetProperty("totalCostUsd").GetDecimal());
        var list = await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/agents/{agent.AgentId}/sessions", Ct);
        Assert.Equal(0.00445m, list.GetProperty("items")[0].GetProperty("totalCostUsd").GetDecimal());
    }

    [StoreFact]
    public async Task A_provider_that_reports_no_usage_is_flagged_on_the_step_not_recorded_as_zero_tokens()
    {
        var agent = await PricedAgentAsync(
            new Dictionary<string, object> { [Model] = new { inputPerMTok = 2.5m, outputPerMTok = 10m } }
        );
        _model.Enqueue(new UsageReply("no usage here", null, null));

        var (run, conversation) = await RunToEndAsync(agent);

        var step = Assert.Single(Reasoning(conversation));
        Assert.True(step.GetProperty("usage_missing").GetBoolean());
        Assert.False(step.TryGetProperty("input_tokens", out _));
        Assert.False(step.TryGetProperty("output_tokens", out _));
        Assert.False(step.TryGetProperty("cost_usd", out _));
        Assert.Equal(0m, run.GetProperty("totalCostUsd").GetDecimal());
    }

    [StoreFact]
    public async Task Prices_are_refused_when_negative_and_a_model_without_a_price_costs_nothing_known()
    {
        var agent = await PricedAgentAsync(null);
        await using (var db = await Server.Contexts.CreateDbContextAsync(Ct))
        {
            var providerId = await db
                .Agents.Where(a => a.Id == agent.AgentId)
                .Select(a => a.LlmProviderId)
                .SingleAsync(Ct);
            var bad = await Admin.PutAsJsonAsync(
                $"/api/providers/{providerId}",
                new
                {
                    prices = new Dictionary<string, object> { [Model] = new { inputPerMTok = -1, outputPerMTok = 1 } },
                },
                Ct
            );
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        _model.Enqueue(new UsageReply("unpriced", null, new(100, 10, 0)));
        var (run, conversation) = await RunToEndAsync(agent);

        var step = Assert.Single(Reasoning(conversation));
        Assert.Equal(100, step.GetProperty("input_tokens").GetInt64());
        Assert.False(step.TryGetProperty("cost_usd", out _));
        Assert.Equal(0m, run.GetProperty("totalCostUsd").GetDecimal());
    }
}
