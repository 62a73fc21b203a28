using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Server.Tests.Crash;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Server.Tests.Scenarios;

/// <summary>
/// A payments desk, black-box over the public API: small payments run on their own, large ones wait for
/// a person, payments over the hard limit or in a currency the desk does not handle are blocked. The
/// payment tool is a real HTTP operation; the receiver counts what actually reached it.
/// </summary>
public sealed class PaymentsDeskTests(ApiServers servers, PaymentsDeskTests.Desk desk)
    : ApiTests(servers),
        IClassFixture<PaymentsDeskTests.Desk>,
        IAsyncLifetime
{
    private const string Rules = """
        [
          {"id":"hard-limit","when":{"tool":"send_payment","arguments":[{"path":"amount","op":"gt","value":10000}]},
            "then":"block","reason":"over the hard limit"},
          {"id":"review-large","when":{"tool":"send_payment","arguments":[{"path":"amount","op":"gt","value":1000}]},
            "then":"pause","reason":"large payment"},
          {"id":"currencies","when":{"tool":"send_payment","arguments":[{"path":"currency","op":"not_in",
            "value":["EUR","USD"]}]},"then":"block","reason":"currency not handled"},
          {"id":"sanctions","when":{"tool":"send_payment","arguments":[{"path":"beneficiary","op":"matches",
            "value":"^sanctioned-"}]},"then":"terminate_session","reason":"sanctioned beneficiary"}
        ]
        """;

    /// <summary>One bank receiver for the whole class, and one desk agent per server (store), made on its first
    /// test.</summary>
    public sealed class Desk : IAsyncLifetime
    {
        private readonly Dictionary<StoreKind, Task<ApiAgent>> _agents = [];

        public OperationReceiver Bank { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Bank = await OperationReceiver.StartAsync(CancellationToken.None);

        public Task<ApiAgent> AgentOn(SkeinApiFactory server)
        {
            lock (_agents)
            {
                if (!_agents.TryGetValue(server.Store, out var agent))
                {
                    _agents[server.Store] = agent = CreateAsync(server);
                }

                return agent;
            }
        }

        private async Task<ApiAgent> CreateAsync(SkeinApiFactory server)
        {
            _ = server.Server;
            await TestData.AddOperationAsync(
                server.Contexts,
                new OperationSpec("send_payment", Bank.BaseUrl, Path: "/payments"),
                CancellationToken.None
            );
            return await server.CreateApiAgentAsync(
                new AgentSpec
                {
                    Name = "payments-desk",
                    Mode = ExecutionMode.HITL,
                    Operations = ["send_payment"],
                    GuardRules = Rules,
                }
            );
        }

        public async ValueTask DisposeAsync() => await Bank.DisposeAsync();
    }

    private readonly OperationReceiver _bank = desk.Bank;
    private ApiAgent _desk = null!;

    public async ValueTask InitializeAsync() => _desk = await desk.AgentOn(Server);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The scripted model calls the tool its input names; each payment gets its own beneficiary.</summary>
    private async Task<(Guid RunId, string Beneficiary)> PayAsync(
        decimal amount,
        string currency = "EUR",
        string? beneficiary = null
    )
    {
        beneficiary ??= "acct-" + Guid.NewGuid().ToString("N")[..8];
        var started = await Runs.StartAsync(
            _desk.Client,
            _desk.AgentId,
            new
            {
                tool = "send_payment",
                arguments = new
                {
                    amount,
                    currency,
                    beneficiary,
                },
            }
        );
        return (started.GetProperty("runId").GetGuid(), beneficiary);
    }

    private int Received(string beneficiary) =>
        _bank.Calls.Count(c => c.Body.Contains(beneficiary, StringComparison.Ordinal));

    private async Task<JsonElement> ToolResultAsync(Guid runId)
    {
        var conversation = await _desk.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation");
        return conversation
            .GetProperty("items")
            .EnumerateArray()
            .Single(i => i.GetProperty("type").GetString() == "ToolResult")
            .GetProperty("content")
            .GetProperty("result");
    }

    private async Task<JsonElement> ToolCallAsync(Guid runId)
    {
        var conversation = await _desk.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation");
        return conversation
            .GetProperty("items")
            .EnumerateArray()
            .Single(i => i.GetProperty("type").GetString() == "ToolCall")
            .GetProperty("content");
    }

    private async Task<Guid> PendingTaskAsync(Guid runId)
    {
        var conversation = await _desk.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation");
        var request = conversation
            .GetProperty("items")
            .EnumerateArray()
            .Single(i => i.GetProperty("type").GetString() == "UserTaskReq")
            .GetProperty("content");
        Assert.Equal("anomaly_review", request.GetProperty("kind").GetString());
        return request.GetProperty("user_task_id").GetGuid();
    }

    [StoreFact]
    public async Task A_payment_under_the_threshold_runs_on_its_own()
    {
        var (runId, beneficiary) = await PayAsync(500);

        await Runs.WaitForAsync(_desk.Client, runId, "Completed");

        Assert.Equal(1, Received(beneficiary));
        Assert.True((await ToolResultAsync(runId)).GetProperty("successful").GetBoolean());
    }

    [StoreFact]
    public async Task A_payment_over_the_threshold_waits_for_approval_then_runs()
    {
        var (runId, beneficiary) = await PayAsync(5000);
        await Runs.WaitForAsync(_desk.Client, runId, "WaitingForHITL");
        Assert.Equal(0, Received(beneficiary));

        // An anomaly review is answered by an operator (management API or dashboard), never by the API key.
        var taskId = await PendingTaskAsync(runId);
        var answer = await Admin.PostAsJsonAsync(
            $"/api/tasks/{taskId}/answer",
            new { approved = true },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

        await Runs.WaitForAsync(_desk.Client, runId, "Completed");
        Assert.Equal(1, Received(beneficiary));
        var stale = await Admin.PostAsJsonAsync(
            $"/api/tasks/{taskId}/answer",
            new { approved = false },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
    }

    [StoreFact]
    public async Task A_rejected_payment_never_reaches_the_bank()
    {
        var (runId, beneficiary) = await PayAsync(5000);
        await Runs.WaitForAsync(_desk.Client, runId, "WaitingForHITL");

        var taskId = await PendingTaskAsync(runId);
        var answer = await Admin.PostAsJsonAsync(
            $"/api/tasks/{taskId}/answer",
            new { approved = false, comment = "not today" },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

        await Runs.WaitForAsync(_desk.Client, runId, "Completed");
        Assert.Equal(0, Received(beneficiary));
        var result = await ToolResultAsync(runId);
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.Contains("not today", result.GetProperty("error").GetString());
    }

    [StoreFact]
    public async Task A_payment_over_the_hard_limit_is_blocked_and_every_matching_rule_is_recorded()
    {
        var (runId, beneficiary) = await PayAsync(20000);

        await Runs.WaitForAsync(_desk.Client, runId, "Completed");

        Assert.Equal(0, Received(beneficiary));
        Assert.StartsWith(
            "blocked by guard rule 'hard-limit'",
            (await ToolResultAsync(runId)).GetProperty("error").GetString()
        );
        var guard = (await ToolCallAsync(runId)).GetProperty("guard");
        Assert.Equal("block", guard.GetProperty("outcome").GetString());
        Assert.Equal(
            ["hard-limit", "review-large"],
            guard.GetProperty("matched").EnumerateArray().Select(m => m.GetProperty("rule_id").GetString())
        );
    }

    [StoreFact]
    public async Task A_payment_in_a_currency_the_desk_does_not_handle_is_blocked()
    {
        var (runId, beneficiary) = await PayAsync(50, "GBP");

        await Runs.WaitForAsync(_desk.Client, runId, "Completed");

        Assert.Equal(0, Received(beneficiary));
        Assert.StartsWith(
            "blocked by guard rule 'currencies'",
            (await ToolResultAsync(runId)).GetProperty("error").GetString()
        );
    }

    [StoreFact]
    public async Task A_payment_to_a_sanctioned_beneficiary_ends_the_session_as_failed_with_the_rule_s_reason()
    {
        var (runId, beneficiary) = await PayAsync(10, beneficiary: "sanctioned-" + Guid.NewGuid().ToString("N")[..6]);

        var run = await Runs.WaitForAsync(_desk.Client, runId, "Failed");

        Assert.Equal(0, Received(beneficiary));
        Assert.Equal(
            "terminated by guard rule 'sanctions': sanctioned beneficiary",
            run.GetProperty("error").GetString()
        );
        var conversation = await _desk.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/runs/{runId}/conversation",
            TestContext.Current.CancellationToken
        );
        Assert.Equal("Failed", conversation.GetProperty("session").GetProperty("status").GetString());
    }
}
