using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Engine.Tests.Providers;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

/// <summary>
/// Mid-run messages in a sub-agent tree (SPEC section 12, issue #18): a message goes to the run the caller names. A
/// message to a child run at work is queued, interrupts or is refused by the CHILD's version setting and lands as a
/// <c>user_message</c> step in the child's timeline; a message naming the root goes to the root, by the root's
/// setting. Through <c>/v1</c> with the root's API key; the child's model is a local OpenAI wire fake.
/// </summary>
public sealed class SubAgentMidRunMessageTests(ApiServers servers) : ApiTests(servers), IAsyncLifetime
{
    private FakeOpenAiServer _model = null!;

    public async ValueTask InitializeAsync() => _model = await FakeOpenAiServer.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _model.DisposeAsync();

    [StoreFact]
    public async Task A_message_to_an_enqueueing_child_reaches_the_child_while_the_rejecting_root_answers_409()
    {
        _model.Enqueue(
            FakeReply.Say("child first answer") with
            {
                Delay = TimeSpan.FromSeconds(4),
            },
            FakeReply.Say("child read the message")
        );
        var tree = await StartTreeAsync(root: MidRunMessages.Reject, child: MidRunMessages.Enqueue);

        var toChild = await SendAsync(tree, tree.ChildRunId, "also check the invoice");
        var toRoot = await SendAsync(tree, tree.RootRunId, "root, are you there?");

        Assert.Equal(HttpStatusCode.Accepted, toChild.StatusCode);
        Assert.True((await toChild.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("queued").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, toRoot.StatusCode);
        Assert.Contains("midRunMessages: reject", await toRoot.Content.ReadAsStringAsync(Ct));

        var steps = await FinishedStepsAsync(tree);
        Assert.Equal(
            ["llm_request_prepared", "user_message", "reasoning", "llm_request_prepared", "reasoning", "output"],
            steps.Child.Select(s => s.Type)
        );
        Assert.Equal("also check the invoice", steps.Child[1].Content.GetProperty("text").GetString());
        Assert.DoesNotContain("user_message", steps.Root.Select(s => s.Type));
        Assert.Contains("also check the invoice", _model.Requests[1].Json.GetRawText());
        Assert.DoesNotContain("also check the invoice", _model.Requests[0].Json.GetRawText());
    }

    [StoreFact]
    public async Task A_message_to_an_interrupting_child_cancels_its_model_call_and_one_to_the_root_stays_at_the_root()
    {
        _model.Enqueue(
            FakeReply.Say("never sent") with
            {
                Delay = TimeSpan.FromMinutes(5),
            },
            FakeReply.Say("child switched")
        );
        var tree = await StartTreeAsync(root: MidRunMessages.Enqueue, child: MidRunMessages.Interrupt);

        var toRoot = await SendAsync(tree, tree.RootRunId, "note for the root");
        var toChild = await SendAsync(tree, tree.ChildRunId, "stop, do this instead");

        Assert.Equal(HttpStatusCode.Accepted, toRoot.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, toChild.StatusCode);
        var steps = await FinishedStepsAsync(tree);
        Assert.Equal(
            [
                "llm_request_prepared",
                "user_message",
                "model_call_discarded",
                "llm_request_prepared",
                "reasoning",
                "output",
            ],
            steps.Child.Select(s => s.Type)
        );
        Assert.Equal("stop, do this instead", steps.Child[1].Content.GetProperty("text").GetString());
        Assert.Equal("child switched", steps.ChildOutput);
        var rootMessage = Assert.Single(steps.Root, s => s.Type == "user_message");
        Assert.Equal("note for the root", rootMessage.Content.GetProperty("text").GetString());
        Assert.DoesNotContain(steps.Child, s => s.Content.ToString().Contains("note for the root"));
        Assert.Equal(2, _model.Requests.Count);
    }

    [StoreFact]
    public async Task A_rejecting_child_answers_409_while_the_root_takes_the_message()
    {
        _model.Enqueue(FakeReply.Say("child done") with { Delay = TimeSpan.FromSeconds(4) });
        var tree = await StartTreeAsync(root: MidRunMessages.Interrupt, child: MidRunMessages.Reject);

        var toChild = await SendAsync(tree, tree.ChildRunId, "are you there?");
        var toRoot = await SendAsync(tree, tree.RootRunId, "root, take this");

        Assert.Equal(HttpStatusCode.Conflict, toChild.StatusCode);
        Assert.Contains("midRunMessages: reject", await toChild.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Accepted, toRoot.StatusCode);
        var steps = await FinishedStepsAsync(tree);
        Assert.DoesNotContain("user_message", steps.Child.Select(s => s.Type));
        Assert.Equal("child done", steps.ChildOutput);
        var rootMessage = Assert.Single(steps.Root, s => s.Type == "user_message");
        Assert.Equal("root, take this", rootMessage.Content.GetProperty("text").GetString());
    }

    private sealed record Tree(ApiAgent Root, Guid RootRunId, Guid ChildRunId);

    private sealed record Step(string Type, JsonElement Content);

    private sealed record TreeSteps(IReadOnlyList<Step> Root, IReadOnlyList<Step> Child, string? ChildOutput);

    /// <summary>A scripted root that calls one openai sub-agent; returns once the child's first model call reached
    /// the provider (the child is then at work, and the root waits on it).</summary>
    private async Task<Tree> StartTreeAsync(MidRunMessages root, MidRunMessages child)
    {
        var childName = "child-" + Guid.NewGuid().ToString("N")[..8];
        var childAgent = await TestData.CreateAgentAsync(
            Server.Contexts,
            new AgentSpec
            {
                Name = childName,
                Mode = ExecutionMode.SubAgent,
                Description = "looks things up",
                ProviderKind = "openai",
                ProviderBaseUrl = _model.BaseUrl,
                Model = "gpt-test",
                MidRunMessages = child,
            },
            Ct
        );
        var rootAgent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                AllowedSubAgents = [childAgent.AgentId],
                MidRunMessages = root,
                Script =
                [
                    new ScriptTurn
                    {
                        ToolCalls =
                        [
                            new ScriptToolCall(
                                "subagent_" + childName,
                                JsonSerializer.SerializeToElement(new { input = "look it up" })
                            ),
                        ],
                    },
                    new ScriptTurn { Text = "root done" },
                ],
            }
        );
        var rootRunId = (await Runs.StartAsync(rootAgent.Client, rootAgent.AgentId)).GetProperty("runId").GetGuid();
        await Eventually.Get(() => Task.FromResult(_model.Requests.Count), n => n >= 1, what: "the child's model call");
        var childRunId = await Eventually.Get(
            async () =>
                (await ConversationAsync(rootAgent, rootRunId))
                    .GetProperty("runs")
                    .EnumerateArray()
                    .Where(r => r.TryGetProperty("parentRunId", out var p) && p.ValueKind == JsonValueKind.String)
                    .Select(r => r.GetProperty("id").GetGuid())
                    .FirstOrDefault(),
            id => id != Guid.Empty,
            what: "the child run"
        );
        return new Tree(rootAgent, rootRunId, childRunId);
    }

    private static Task<HttpResponseMessage> SendAsync(Tree tree, Guid runId, string text) =>
        tree.Root.Client.PostAsJsonAsync($"/v1/runs/{runId}/messages", new { text }, Ct);

    private static Task<JsonElement> ConversationAsync(ApiAgent agent, Guid runId) =>
        agent.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation?stepContent=full", Ct);

    /// <summary>Waits for the root to complete; each run's steps from the public conversation, in order.</summary>
    private static async Task<TreeSteps> FinishedStepsAsync(Tree tree)
    {
        var done = await Runs.WaitForAsync(tree.Root.Client, tree.RootRunId, "Completed", "Failed");
        Assert.Equal("Completed", done.GetProperty("status").GetString());
        var conversation = await ConversationAsync(tree.Root, tree.RootRunId);
        var child = await tree.Root.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{tree.ChildRunId}", Ct);
        return new TreeSteps(
            StepsOf(conversation, tree.RootRunId),
            StepsOf(conversation, tree.ChildRunId),
            Text(child)
        );

        static string? Text(JsonElement run) =>
            run.GetProperty("output").ValueKind == JsonValueKind.String ? run.GetProperty("output").GetString() : null;
    }

    private static List<Step> StepsOf(JsonElement conversation, Guid runId) =>
        [
            .. conversation
                .GetProperty("items")
                .EnumerateArray()
                .Where(i => i.GetProperty("runId").GetGuid() == runId)
                .Where(i => i.GetProperty("type").GetString() is not ("RunCompleted" or "SessionCompleted"))
                .OrderBy(i => i.GetProperty("sequence").GetInt64())
                .Select(i => new Step(i.GetProperty("type").GetString()!, i.GetProperty("content"))),
        ];
}
