using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;
using Skein.Testing;

namespace Skein.Server.Tests.Usage;

/// <summary>
/// Cost totals include every model call (issue #18): in a sub-agent tree whose models have prices, each run's and
/// the session's <c>totalCostUsd</c> equal the sum of the <c>cost_usd</c> of their model steps, and the
/// <c>output</c> step carries the cost of the call that produced it and the run's total, as it does for tokens.
/// </summary>
public sealed class CostTotalsTests(ApiServers servers) : ApiTests(servers), IAsyncLifetime
{
    private const string Model = "gpt-totals";
    private UsageModelFake _model = null!;

    public async ValueTask InitializeAsync() => _model = await UsageModelFake.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _model.DisposeAsync();

    [StoreFact]
    public async Task Run_and_session_totals_equal_the_sum_of_every_model_steps_cost_and_the_output_step_shows_it()
    {
        var childName = "priced-child-" + Guid.NewGuid().ToString("N")[..8];
        var child = await TestData.CreateAgentAsync(
            Server.Contexts,
            new AgentSpec
            {
                Name = childName,
                Mode = ExecutionMode.SubAgent,
                Description = "answers",
                ProviderKind = "openai",
                ProviderBaseUrl = _model.BaseUrl,
                Model = Model,
            },
            Ct
        );
        var root = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                ProviderKind = "openai",
                ProviderBaseUrl = _model.BaseUrl,
                Model = Model,
                AllowedSubAgents = [child.AgentId],
            }
        );
        await PriceAsync(root.AgentId);
        await PriceAsync(child.AgentId);
        // Root asks the child, the child answers, the root answers: three calls, in this order.
        _model.Enqueue(
            new UsageReply(
                null,
                new ReplyToolCall("call_1", "subagent_" + childName, """{"input":"what is due?"}"""),
                new(1000, 50, 400)
            ),
            new UsageReply("child answer", null, new(300, 30, 0)),
            new UsageReply("all done", null, new(1200, 20, 1000))
        );

        var rootRunId = (await Runs.StartAsync(root.Client, root.AgentId)).GetProperty("runId").GetGuid();
        var run = await Runs.WaitForAsync(root.Client, rootRunId, "Completed", "Failed");
        Assert.Equal("Completed", run.GetProperty("status").GetString());
        var conversation = await root.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/runs/{rootRunId}/conversation?stepContent=full",
            Ct
        );

        var items = conversation.GetProperty("items").EnumerateArray().ToList();
        var runs = conversation.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(2, runs.Count);
        foreach (var r in runs)
        {
            var id = r.GetProperty("id").GetGuid();
            var modelSteps = items.Where(i => RunOf(i) == id && Type(i) == "reasoning").ToList();
            Assert.NotEmpty(modelSteps);
            Assert.All(modelSteps, s => Assert.True(s.GetProperty("content").TryGetProperty("cost_usd", out _)));
            Assert.Equal(modelSteps.Sum(Cost), r.GetProperty("totalCostUsd").GetDecimal());
        }

        // Per 1e6: (600 × 2.5 + 400 × 1.25 + 50 × 10) + (300 × 2.5 + 30 × 10)
        // + (200 × 2.5 + 1000 × 1.25 + 20 × 10)
        var allModelSteps = items.Where(i => Type(i) == "reasoning").ToList();
        Assert.Equal(3, allModelSteps.Count);
        Assert.Equal(0.0025m + 0.00105m + 0.00195m, allModelSteps.Sum(Cost));
        Assert.Equal(
            allModelSteps.Sum(Cost),
            conversation.GetProperty("session").GetProperty("totalCostUsd").GetDecimal()
        );
        Assert.Equal(
            items
                .Where(i => Type(i) is not ("RunCompleted" or "SessionCompleted"))
                .Sum(i => i.GetProperty("tokensUsed").GetInt64()),
            conversation.GetProperty("session").GetProperty("totalTokensUsed").GetInt64()
        );

        // The root's output step: the cost of the call that produced it, and the root run's total.
        var output = items.Single(i => RunOf(i) == rootRunId && Type(i) == "output").GetProperty("content");
        var producer = items.Last(i => RunOf(i) == rootRunId && Type(i) == "reasoning");
        Assert.Equal(Cost(producer), output.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(run.GetProperty("totalCostUsd").GetDecimal(), output.GetProperty("total_cost_usd").GetDecimal());
        Assert.Equal(0.0025m + 0.00195m, output.GetProperty("total_cost_usd").GetDecimal());
        Assert.Equal(
            producer.GetProperty("content").GetProperty("tokens_used").GetInt64(),
            output.GetProperty("tokens_used").GetInt64()
        );
    }

    private static Guid RunOf(JsonElement item) => item.GetProperty("runId").GetGuid();

    private static string? Type(JsonElement item) => item.GetProperty("type").GetString();

    private static decimal Cost(JsonElement item) => item.GetProperty("content").GetProperty("cost_usd").GetDecimal();

    private async Task PriceAsync(Guid agentId)
    {
        await using var db = await Server.Contexts.CreateDbContextAsync(Ct);
        var providerId = await db.Agents.Where(a => a.Id == agentId).Select(a => a.LlmProviderId).SingleAsync(Ct);
        var put = await Admin.PutAsJsonAsync(
            $"/api/providers/{providerId}",
            new
            {
                prices = new Dictionary<string, object>
                {
                    [Model] = new
                    {
                        inputPerMTok = 2.5m,
                        outputPerMTok = 10m,
                        cachedInputPerMTok = 1.25m,
                    },
                },
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }
}
