using System.Text.Json;
using Skein.Core.Agents;
using Skein.Testing;

namespace Skein.Server.Tests;

/// <summary>A run of an <c>openai</c> agent whose model is a paced <see cref="StreamingModelServer"/>, started and
/// holding its first model call (<see cref="Call"/>, asked to stream), which the test answers piece by piece.</summary>
public sealed record StreamingRun(ApiAgent Agent, Guid RunId, Guid SessionId, StreamingCall Call)
{
    /// <summary>A test's own deadline: generous, since it also covers the store's first start (migrations) on a busy
    /// machine.</summary>
    public static CancellationTokenSource Deadline()
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));
        return deadline;
    }

    /// <param name="trigger">The agent's API trigger settings (null: the default).</param>
    public static async Task<StreamingRun> StartAsync(
        SkeinApiFactory server,
        StreamingModelServer model,
        CancellationToken cancellationToken,
        object? trigger = null,
        MidRunMessages midRunMessages = MidRunMessages.Enqueue
    )
    {
        var agent = await server.CreateApiAgentAsync(
            new AgentSpec
            {
                ProviderKind = "openai",
                ProviderBaseUrl = model.BaseUrl,
                Model = "gpt-stream",
                MidRunMessages = midRunMessages,
            },
            trigger
        );
        JsonElement started = await Runs.StartAsync(agent.Client, agent.AgentId);
        var call = await model.Calls.ReadAsync(cancellationToken);
        Assert.True(call.Request.GetProperty("stream").GetBoolean());
        return new StreamingRun(
            agent,
            started.GetProperty("runId").GetGuid(),
            started.GetProperty("sessionId").GetGuid(),
            call
        );
    }
}
