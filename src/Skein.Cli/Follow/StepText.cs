using System.Text.Encodings.Web;
using System.Text.Json;

namespace Skein.Cli.Follow;

/// <summary>One line of text per timeline step (snake_case step contents, SPEC section 1), shared by <c>session</c> and
/// <c>run --follow</c>.</summary>
public static class StepText
{
    public const int Width = 110;

    public static string Describe(string type, JsonElement content) =>
        type switch
        {
            "llm_request_prepared" => $"model request ({Text(content, "model")})",
            "reasoning" => $"model: {Text(content, "message")}",
            "ToolCall" => $"tool call {Text(content, "name")} {Compact(content, "arguments")}",
            "ToolResult" when content.TryGetProperty("result", out var r) && Text(r, "outcome") == "may_have_run" =>
                $"tool call may have run: {Text(r, "error")}",
            "ToolResult"
                when content.TryGetProperty("result", out var r)
                    && r.TryGetProperty("successful", out var ok)
                    && ok.ValueKind == JsonValueKind.False => $"tool error: {Text(r, "error")}",
            "ToolResult" =>
                $"tool result {Compact(content.TryGetProperty("result", out var r2) ? r2 : default, "data")}",
            "UserTaskReq" => $"waiting for a person: {Text(content, "summary")} (task {Text(content, "user_task_id")})",
            "user_message" => $"user: {Text(content, "text")}",
            "provider_backoff" => $"provider back-off: {Text(content, "reason")}; next attempt at "
                + Text(content, "next_attempt_at"),
            "model_call_discarded" => $"model call discarded: {Text(content, "reason")}",
            "SubAgentCall" => $"sub-agent call {Text(content, "agent_name")} → run {Text(content, "child_run_id")} "
                + Compact(content, "input"),
            "SubAgentResult" =>
                $"sub-agent result ({Text(content, "status")}) {Compact(content, "output")}{Text(content, "error")}",
            "AitlRequest" => $"asks its parent: {Text(content, "question")}",
            "AitlReceived" => $"question from sub-agent: {Text(content, "question")}",
            "AitlResponse" => $"answer from {Text(content, "answered_by")}: {Text(content, "answer")}",
            "AitlResolved" => $"question answered: {Text(content, "answer")}",
            "output" => $"output {Compact(content, "output")}",
            _ => type,
        };

    public static string Truncate(string text)
    {
        var single = text.ReplaceLineEndings(" ");
        return single.Length <= Width ? single : single[..(Width - 1)] + "…";
    }

    public static string Text(JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var v)
            ? v.ValueKind == JsonValueKind.String
                ? v.GetString() ?? ""
                : v.GetRawText()
            : "";

    public static string Compact(JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var v) ? Json(v) : "";

    /// <summary>Compact JSON for a terminal: quotes and non-ASCII text stay readable (no \u0027 escapes).</summary>
    public static string Json(JsonElement value) => JsonSerializer.Serialize(value, Readable);

    private static readonly JsonSerializerOptions Readable = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
