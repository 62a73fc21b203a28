using System.Text.Json;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Bench.Micro;

/// <summary>The events of one engine-throughput run (start, 7 steps, completion), decided by the real Core
/// rules.</summary>
internal static class BenchSession
{
    public static IReadOnlyList<SessionEvent> Events()
    {
        var at = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var version = new VersionSnapshot
        {
            AgentId = Ids.New(at),
            AgentName = "bench-echo",
            ExecutionMode = ExecutionMode.Request,
            AgentVersionId = Ids.New(at),
            VersionLabel = "v1",
            LlmProviderId = Ids.New(at),
            ProviderKind = "scripted",
            Model = "skein-scripted",
            Instructions = "You are a test agent.",
            Operations = ["skein_echo"],
        };
        var input = JsonSerializer.SerializeToElement(new { question = "What is the weather in Lisbon?" });
        var start = SessionDecider.Start(
            new StartSession(
                Ids.New(at),
                Ids.New(at),
                Ids.New(at),
                TriggerType.Api,
                "bench",
                null,
                null,
                new StartContext(version, input),
                at
            )
        );
        var events = new List<SessionEvent>(start.Events);
        var state = start.Current;
        var runId = state.RootRunId;
        var args = JsonSerializer.SerializeToElement(new { city = "Lisbon", unit = "celsius" });
        StepPayload[] payloads =
        [
            new LlmRequestPrepared("skein-scripted") { Iteration = 1 },
            new ReasoningStep(
                "Let me look that up.",
                "Let me look that up.",
                30,
                [new RequestedToolCall("call_0_0", "skein_echo", args)]
            )
            {
                Iteration = 1,
            },
            new ToolCallStep("skein_echo", args, "call_0_0", "skein_echo", $"{runId:N}:3") { Iteration = 1 },
            new ToolResultStep("call_0_0", ToolResultBody.Ok(args)) { Iteration = 1 },
            new LlmRequestPrepared("skein-scripted") { Iteration = 2 },
            new ReasoningStep("It is 21 degrees and sunny in Lisbon.", "It is 21 degrees and sunny in Lisbon.", 40, [])
            {
                Iteration = 2,
            },
            new OutputStep(JsonSerializer.SerializeToElement("It is 21 degrees and sunny in Lisbon."), 40, 70)
            {
                Iteration = 2,
            },
        ];
        foreach (var payload in payloads)
        {
            var change = new SessionChange(state);
            SessionDecider.AppendStep(change, runId, new StepDraft(payload), at, "engine");
            if (payload is OutputStep output)
            {
                SessionDecider.MoveRun(
                    change,
                    runId,
                    new RunTransition(RunStatus.Completed) { Output = output.Output, Reason = "output" },
                    at,
                    "engine"
                );
            }

            events.AddRange(change.Events);
            state = change.Current;
        }

        return events;
    }
}
