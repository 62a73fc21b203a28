using System.Text.Json;
using Microsoft.Extensions.AI;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Store.Agents;

namespace Skein.Engine.Tools;

/// <summary>
/// A sub-agent offered to a parent's model (SPEC section 9): the tool <c>subagent_&lt;name&gt;</c>, described by the
/// sub-agent's description, whose arguments are the child's run input (its input schema, else <c>{input:
/// string}</c>). Calls are decided by <see cref="SubAgentDecider"/>, never executed as tools.
/// </summary>
public sealed record SubAgentTool(string Name, SubAgentTarget Target, string Description, JsonElement Schema)
{
    private static readonly JsonElement DefaultSchema = ToSchema(
        new
        {
            type = "object",
            properties = new { input = new { type = "string", description = "What the sub-agent should do" } },
            required = new[] { "input" },
        }
    );

    private static readonly JsonElement AskParentSchema = ToSchema(
        new
        {
            type = "object",
            properties = new { question = new { type = "string" }, context = new { } },
            required = new[] { "question" },
        }
    );

    private static readonly JsonElement AnswerSchema = ToSchema(
        new
        {
            type = "object",
            properties = new
            {
                request_id = new
                {
                    type = "string",
                    description = "The question's request_id; may be left out when exactly one question is pending",
                },
                answer = new { type = "string" },
            },
            required = new[] { "answer" },
        }
    );

    private static readonly JsonElement EscalateSchema = ToSchema(
        new { type = "object", properties = new { request_id = new { type = "string" } } }
    );

    private static JsonElement ToSchema(object value) => JsonSerializer.SerializeToElement(value);

    /// <summary>The sub-agents a version may call, each with its Deployed version's input schema; one without a
    /// Deployed version is not offered.</summary>
    public static async Task<IReadOnlyDictionary<string, SubAgentTool>> ResolveAsync(
        AgentCatalog catalog,
        VersionSnapshot version,
        CancellationToken cancellationToken
    )
    {
        var tools = new Dictionary<string, SubAgentTool>(StringComparer.Ordinal);
        if (!version.CanExecuteSubAgents)
        {
            return tools;
        }

        foreach (var agentId in version.AllowedSubAgents)
        {
            ResolvedVersion resolved;
            try
            {
                resolved = await catalog.ResolveAsync(agentId, null, cancellationToken);
            }
            catch (DomainException)
            {
                continue;
            }

            var name = SubAgentDecider.ToolName(resolved.Agent.Name);
            var description = string.IsNullOrWhiteSpace(resolved.Version.Description)
                ? $"Delegate a task to the sub-agent {resolved.Agent.Name}."
                : resolved.Version.Description;
            tools[name] = new SubAgentTool(
                name,
                new SubAgentTarget(resolved.Agent.Id, resolved.Agent.Name),
                description,
                resolved.Snapshot.InputSchema ?? DefaultSchema
            );
        }

        return tools;
    }

    /// <summary>What the model sees: every sub-agent, the AITL tools of a parent, and <c>ask_parent</c> for a
    /// child.</summary>
    public static IEnumerable<AITool> Declarations(IEnumerable<SubAgentTool> subAgents, bool isChild)
    {
        var any = false;
        foreach (var tool in subAgents)
        {
            any = true;
            yield return AIFunctionFactory.CreateDeclaration(tool.Name, tool.Description, tool.Schema);
        }

        if (any)
        {
            yield return AIFunctionFactory.CreateDeclaration(
                AitlDecider.AnswerTool,
                "Answer a question a sub-agent asked you (its request_id is in the question).",
                AnswerSchema
            );
            yield return AIFunctionFactory.CreateDeclaration(
                AitlDecider.EscalateTool,
                "Hand a sub-agent's question to a person (only when the session's root agent is HITL).",
                EscalateSchema
            );
        }

        if (isChild)
        {
            yield return AIFunctionFactory.CreateDeclaration(
                AitlDecider.AskParent,
                "Ask the agent that called you a question; you continue with its answer.",
                AskParentSchema
            );
        }
    }
}
