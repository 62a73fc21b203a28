using Skein.Core;
using Skein.Core.Agents;
using Skein.Engine.Tools;

namespace Skein.Application.Seeding;

/// <summary>One seeded demo agent: its mode and its v1, on the scripted model.</summary>
public sealed record DemoAgent(
    string Name,
    ExecutionMode Mode,
    string Description,
    string Instructions,
    IReadOnlyList<string> Operations,
    IReadOnlyList<ScriptTurn> Script
)
{
    /// <summary>Agent names of the sub-agents v1 may dispatch (resolved to ids when seeded).</summary>
    public IReadOnlyList<string> SubAgents { get; init; } = [];

    public VersionDraft Version(IReadOnlyDictionary<string, Guid> ids) =>
        new()
        {
            Description = Description,
            Model = "skein-scripted",
            Instructions = Instructions,
            Operations = Operations,
            Script = Script,
            CanExecuteSubAgents = SubAgents.Count > 0,
            AllowedSubAgents = [.. SubAgents.Select(name => ids[name])],
            SubAgentExecutionModel = SubAgentExecutionModel.Sequential,
        };
}

/// <summary>
/// The seeded demo agents (SPEC section 8), in seeding order (a sub-agent before its parent): <c>demo</c> (Request:
/// phrony_wait once, then answers), <c>demo-hitl</c> (HITL: asks a person to approve a refund), and the multi-agent
/// pair (SPEC section 9, docs/multi-agent.md): <c>demo-team</c> (Request) dispatches <c>demo-researcher</c>
/// (SubAgent), which asks its parent one question with <c>ask_parent</c>; the parent answers with
/// <c>aitl_answer</c> and reports the child's output.
/// </summary>
public static class DemoAgents
{
    public const string Demo = "demo";
    public const string DemoHitl = "demo-hitl";
    public const string DemoTeam = "demo-team";
    public const string DemoResearcher = "demo-researcher";

    public static readonly IReadOnlyList<DemoAgent> All =
    [
        new(
            Demo,
            ExecutionMode.Request,
            "Demo: waits one second with phrony_wait, then answers.",
            "You are Skein's demo agent. Take a short pause, then greet the user.",
            [PhronyWaitTool.ToolName],
            [
                new()
                {
                    Text = "Let me take a one-second pause first.",
                    ToolCalls = [new ScriptToolCall(PhronyWaitTool.ToolName, SkeinJson.Parse("""{"seconds":1}"""))],
                },
                new()
                {
                    Text = "Hello from Skein's demo agent: I paused for a second with phrony_wait and now I'm done.",
                },
            ]
        ),
        new(
            DemoHitl,
            ExecutionMode.HITL,
            "Demo: asks a person to approve a refund, then reports what happened.",
            "You are Skein's refunds demo agent. Refunds need a person's approval.",
            [DemoRefundTool.ToolName],
            [
                new()
                {
                    Text = "The customer asked for a refund of 25 EUR for a damaged item; issuing it needs approval.",
                    ToolCalls =
                    [
                        new ScriptToolCall(
                            DemoRefundTool.ToolName,
                            SkeinJson.Parse("""{"amount":25,"currency":"EUR","reason":"damaged item"}""")
                        ),
                    ],
                },
            ]
        ),
        new(
            DemoResearcher,
            ExecutionMode.SubAgent,
            "Researches one question and reports a one-sentence answer; asks its parent when the question is vague.",
            "You are Skein's research demo sub-agent. Ask your parent when you need a detail, then answer briefly.",
            [],
            [
                new()
                {
                    Text = "Before I look this up: how precise should the answer be?",
                    ToolCalls =
                    [
                        new ScriptToolCall(
                            "ask_parent",
                            SkeinJson.Parse("""{"question":"Should the answer include the height in metres?"}""")
                        ),
                    ],
                },
                new() { Text = "Mont Blanc is the highest mountain of the Alps, at 4,806 metres." },
            ]
        ),
        new(
            DemoTeam,
            ExecutionMode.Request,
            "Demo: dispatches the demo-researcher sub-agent, answers its question, and reports its finding.",
            "You are Skein's team demo agent. Delegate research to demo-researcher and report what it found.",
            [],
            [
                new()
                {
                    Text = "I'll hand this to my researcher.",
                    ToolCalls =
                    [
                        new ScriptToolCall(
                            "subagent_" + DemoResearcher,
                            SkeinJson.Parse("""{"input":"What is the highest mountain of the Alps?"}""")
                        ),
                    ],
                },
                new()
                {
                    Text = "My researcher asked a question; answering it.",
                    ToolCalls =
                    [
                        new ScriptToolCall(
                            "aitl_answer",
                            SkeinJson.Parse("""{"answer":"Yes: one sentence, with the height in metres."}""")
                        ),
                    ],
                },
                new() { Text = "Done: my researcher found the answer; its SubAgentResult step holds it." },
            ]
        )
        {
            SubAgents = [DemoResearcher],
        },
    ];
}
