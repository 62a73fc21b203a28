using System.Text.Json;
using Skein.Core.Agents;
using Skein.Testing;

namespace Skein.Server.Tests.Operations;

/// <summary>
/// Traces leave over OTLP/HTTP (protobuf) when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: one run is an
/// <c>invoke_agent</c> span under the start request's trace, with its model calls and tool call as children in
/// order, carrying the GenAI attributes and the session/run ids; the tool's HTTP call carries the trace onward.
/// </summary>
[RunsLong(20)]
public sealed class TraceExportTests
{
    private const string Operation = "lookup";

    [Fact]
    public async Task OneRunExportsItsSpanTreeWithGenAiAttributes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        await using var world = await OpsScenario.StartAsync(
            new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.BaseUrl,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "60000",
            },
            ct
        );
        await TestData.AddOperationAsync(
            world.Contexts,
            new OperationSpec(Operation, receiver.BaseUrl, Path: "/tool"),
            ct
        );
        var agent = await TestData.CreateAgentAsync(
            world.Contexts,
            new AgentSpec
            {
                Name = "traced-agent",
                Model = "scripted-traced",
                Operations = [Operation],
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "looking",
                        ToolCalls = [new ScriptToolCall(Operation, JsonSerializer.SerializeToElement(new { q = 1 }))],
                    },
                    new ScriptTurn { Text = "found it" },
                ],
            },
            ct
        );

        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var started = await world.StartRunAsync(agent.AgentId, ct, $"00-{traceId}-1111111111111111-01");
        var detail = await world.WaitForEndAsync(started.SessionId, ct);
        Assert.Equal("Completed", detail.Session.Status);

        var runId = started.RunId.ToString();
        var spans = await Eventually.Get(
            () => Task.FromResult(receiver.Spans.Where(s => s.TraceId == traceId).ToList()),
            s =>
                s.Count(x => x.Name.StartsWith("chat ", StringComparison.Ordinal)) >= 2
                && s.Any(x => x.Name.StartsWith("invoke_agent", StringComparison.Ordinal)),
            OpsScenario.Deadline,
            "the run's spans at the receiver"
        );

        var run = Assert.Single(spans, s => s.Name == "invoke_agent traced-agent");
        Assert.Equal("invoke_agent", run.Attributes["gen_ai.operation.name"]);
        Assert.Equal("traced-agent", run.Attributes["gen_ai.agent.name"]);
        Assert.Equal(started.SessionId.ToString(), run.Attributes["session.id"]);
        Assert.Equal(runId, run.Attributes["run.id"]);

        // The run's parent is the start request's server span, itself under the caller's traceparent.
        var request = Assert.Single(spans, s => s.SpanId == run.ParentSpanId);
        Assert.Equal("1111111111111111", request.ParentSpanId);

        var children = spans.Where(s => s.ParentSpanId == run.SpanId).OrderBy(s => s.StartNanos).ToList();
        Assert.Equal(
            ["chat scripted-traced", $"execute_tool {Operation}", "chat scripted-traced"],
            children.Select(c => c.Name).ToArray()
        );
        foreach (var chat in children.Where(c => c.Name.StartsWith("chat", StringComparison.Ordinal)))
        {
            Assert.Equal("chat", chat.Attributes["gen_ai.operation.name"]);
            Assert.Equal("scripted-traced", chat.Attributes["gen_ai.request.model"]);
            Assert.Equal("scripted", chat.Attributes["gen_ai.provider.name"]);
            Assert.True(long.Parse(chat.Attributes["gen_ai.usage.input_tokens"], null) > 0);
            Assert.True(long.Parse(chat.Attributes["gen_ai.usage.output_tokens"], null) > 0);
            Assert.Equal(runId, chat.Attributes["run.id"]);
            Assert.Equal(3, chat.Kind); // SPAN_KIND_CLIENT
        }

        var tool = children[1];
        Assert.Equal("execute_tool", tool.Attributes["gen_ai.operation.name"]);
        Assert.Equal(Operation, tool.Attributes["gen_ai.tool.name"]);
        Assert.Equal(runId, tool.Attributes["run.id"]);

        // The tool's HTTP call is a client span under execute_tool, and the integration saw the same trace.
        Assert.Contains(spans, s => s.ParentSpanId == tool.SpanId && s.Kind == 3);
        Assert.Contains(receiver.ToolTraceParents, p => p is not null && p.Contains(traceId, StringComparison.Ordinal));
    }
}
