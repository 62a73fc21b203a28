using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Skein.Core;
using Skein.Core.Agents;

namespace Skein.Server.Api.Contracts;

/// <summary>
/// <c>startContext</c> on the wire: the flat, camelCase snapshot the Phrony client reads (limits,
/// instructions, model, <c>userInput</c>), built from the frozen version stored with the session.
/// </summary>
public static class StartContextWire
{
    // The wire shows none of the scripted model's script, which can be long: it is skipped, not materialized.
    private static readonly JsonSerializerOptions WithoutScript = new(SkeinJson.Options)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver().WithAddedModifier(type =>
        {
            if (
                type.Type == typeof(VersionSnapshot)
                && type.Properties.FirstOrDefault(p => p.Name == "script") is { } script
            )
            {
                type.Properties.Remove(script);
            }
        }),
    };

    public static JsonObject? From(string? stored)
    {
        if (stored is null)
        {
            return null;
        }

        var context = JsonSerializer.Deserialize<StartContext>(stored, WithoutScript)!;
        var v = context.Version;
        return new JsonObject
        {
            ["userInput"] = context.UserInput is { } input ? JsonNode.Parse(input.GetRawText()) : null,
            ["agentId"] = v.AgentId,
            ["agentName"] = v.AgentName,
            ["agentVersionId"] = v.AgentVersionId,
            ["versionLabel"] = v.VersionLabel,
            ["agentExecutionMode"] = v.ExecutionMode.ToString(),
            ["rootAgentExecutionMode"] = v.ExecutionMode.ToString(),
            ["llmModel"] = v.Model,
            ["instructions"] = v.Instructions,
            ["temperature"] = v.Temperature,
            ["maxIterations"] = v.Limits.MaxIterations,
            ["maxTokensPerRun"] = v.Limits.MaxTokensPerRun,
            ["maxToolCalls"] = v.Limits.MaxToolCalls,
            ["operations"] = new JsonArray([.. v.Operations.Select(o => (JsonNode?)o)]),
            ["conversation"] = v.Conversation == ConversationMode.MultiTurn ? "multi_turn" : "single",
            ["midRunMessages"] = v.MidRunMessages.ToWire(),
        }
            .WithOptional("topP", v.TopP)
            .WithOptional("topK", v.TopK)
            .WithOptional("maxSessionTokens", v.Limits.MaxSessionTokens)
            .WithOptional("maxSessionDurationSec", v.Limits.MaxSessionDurationSec);
    }
}
