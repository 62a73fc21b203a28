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
        var tree = new TreeCalls();
        List<string>? queued = null;
        foreach (var step in run.Steps)
        {
            switch (step.Payload)
            {
                case LlmRequestPrepared when queued is not null:
                    // Messages sent while the run worked are read at the turn after them, after the tool results of
                    // the turn they interrupted (a chat model needs every call answered before a user message).
                    messages.AddRange(queued.Select(text => new ChatMessage(ChatRole.User, text)));
                    queued = null;
                    break;
                case UserMessageStep { Queued: true } q:
                    (queued ??= []).Add(q.Text);
                    break;
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
                    tree.Turn(r.ToolCalls);
                    break;
                case ToolResultStep t:
                    tree.Result(messages, t.ToolCallId, SkeinJson.Element(t.Result));
                    break;
                case UserMessageStep u:
                    messages.Add(new ChatMessage(ChatRole.User, u.Text));
                    break;
                case SubAgentCallStep call:
                    tree.Dispatched(call);
                    break;
                case SubAgentResultStep result:
                    tree.Result(messages, result.ToolCallId, SkeinJson.Element(result));
                    break;
                case AitlReceivedStep received:
                    tree.Question(messages, received);
                    break;
                case AitlResponseStep response:
                    tree.Result(
                        messages,
                        response.ToolCallId,
                        SkeinJson.Element(new { answer = response.Answer, answered_by = response.AnsweredBy })
                    );
                    break;
            }
        }

        return messages;
    }

    /// <summary>
    /// Keeps a run tree's history valid for chat models: every call of an assistant turn gets exactly one tool
    /// message before the next assistant turn. A child's question arriving mid-turn answers the open calls for now
    /// (the asking child's call with the question, the others as still running); what arrives for a call already
    /// answered comes as a user message.
    /// </summary>
    private sealed class TreeCalls
    {
        private readonly HashSet<string> _open = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];
        private readonly Dictionary<Guid, string> _callOfChild = [];

        public void Turn(IReadOnlyList<RequestedToolCall> calls)
        {
            _open.Clear();
            _order.Clear();
            foreach (var call in calls)
            {
                _open.Add(call.ToolCallId);
                _order.Add(call.ToolCallId);
            }
        }

        public void Dispatched(SubAgentCallStep call) => _callOfChild[call.ChildRunId] = call.ToolCallId;

        public void Result(List<ChatMessage> messages, string toolCallId, JsonElement data)
        {
            if (_open.Remove(toolCallId))
            {
                messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(toolCallId, data)]));
            }
            else
            {
                messages.Add(new ChatMessage(ChatRole.User, $"{LatePrefix}{toolCallId}: {data.GetRawText()}"));
            }
        }

        public void Question(List<ChatMessage> messages, AitlReceivedStep received)
        {
            var question = SkeinJson.Element(
                new
                {
                    status = "waiting_for_parent",
                    request_id = received.RequestId,
                    child_run_id = received.ChildRunId,
                    question = received.Question,
                    context = received.Context,
                    hint = "answer with aitl_answer (or aitl_escalate under a HITL root)",
                }
            );
            var asking = _callOfChild.GetValueOrDefault(received.ChildRunId);
            if (asking is null || !_open.Contains(asking))
            {
                messages.Add(new ChatMessage(ChatRole.User, $"A sub-agent asks: {question.GetRawText()}"));
                return;
            }

            foreach (var id in _order.Where(_open.Contains).ToList())
            {
                Result(messages, id, id == asking ? question : SkeinJson.Element(new { status = "running" }));
            }
        }
    }

    private const string LatePrefix = "Result of tool call ";

    /// <summary>The result a user message carries when it reports a call answered earlier (see
    /// <see cref="TreeCalls"/>).</summary>
    public static JsonElement? LateResult(string text)
    {
        var at = text.IndexOf(": ", StringComparison.Ordinal);
        if (!text.StartsWith(LatePrefix, StringComparison.Ordinal) || at < 0)
        {
            return null;
        }

        try
        {
            return SkeinJson.Parse(text[(at + 2)..]);
        }
        catch (JsonException)
        {
            return null;
        }
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
