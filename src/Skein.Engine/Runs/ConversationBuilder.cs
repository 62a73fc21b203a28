using System.Text.Json;
using Microsoft.Extensions.AI;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Runs;
using Skein.Core.Steps;

namespace Skein.Engine.Runs;

/// <summary>Rebuilds the model's view of a run from its committed steps: the same history live and after a
/// restart.</summary>
public static class ConversationBuilder
{
    public static List<ChatMessage> Build(VersionSnapshot version, RunState run)
    {
        var messages = new List<ChatMessage>(run.Steps.Count + 2);
        if (!string.IsNullOrWhiteSpace(version.Instructions))
        {
            messages.Add(new ChatMessage(ChatRole.System, version.Instructions));
        }

        messages.Add(new ChatMessage(ChatRole.User, InputText(run.Input)));
        foreach (var step in run.Steps)
        {
            switch (step.Payload)
            {
                case ReasoningStep r:
                    var contents = new List<AIContent>();
                    if (!string.IsNullOrEmpty(r.Message))
                    {
                        contents.Add(new TextContent(r.Message));
                    }

                    contents.AddRange(
                        r.ToolCalls.Select(c => new FunctionCallContent(c.ToolCallId, c.Name, Arguments(c.Arguments)))
                    );
                    messages.Add(new ChatMessage(ChatRole.Assistant, contents));
                    break;
                case ToolResultStep t:
                    messages.Add(
                        new ChatMessage(
                            ChatRole.Tool,
                            [new FunctionResultContent(t.ToolCallId, SkeinJson.Element(t.Result))]
                        )
                    );
                    break;
                case UserMessageStep u:
                    messages.Add(new ChatMessage(ChatRole.User, u.Text));
                    break;
            }
        }

        return messages;
    }

    /// <summary>A string input is sent as is; anything else as its JSON text.</summary>
    public static string InputText(JsonElement? input) =>
        input switch
        {
            null => "",
            { ValueKind: JsonValueKind.String } s => s.GetString() ?? "",
            { } other => other.GetRawText(),
        };

    private static Dictionary<string, object?> Arguments(JsonElement args) =>
        args.ValueKind == JsonValueKind.Object
            ? args.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value)
            : [];
}
