using System.Text;
using System.Text.Json.Nodes;
using Skein.Core.Redaction;
using Skein.Core.Runs;
using Skein.Server.Api.Contracts;
using Skein.Store.Rows;
using Skein.Store.Sessions;

namespace Skein.Server.Api.V1;

/// <summary>
/// <c>GET /v1/runs/{id}/conversation</c>: the session, every run, and one merged timeline ordered by
/// the session's event sequence, numbered by 1-based <c>ordinal</c>, with a synthetic
/// <c>RunCompleted</c> after each finished run's last step and <c>SessionCompleted</c> at the end.
/// </summary>
public static class ConversationView
{
    /// <summary>Keys <c>stepContent=slim</c> drops from object contents (SPEC section 4).</summary>
    private static readonly byte[][] SlimDropped =
    [
        .. new[] { "session_id", "run_id", "tenant_id", "agent_id", "agent_version_id", "event_id" }.Select(
            Encoding.UTF8.GetBytes
        ),
    ];

    public sealed record Response(SessionDto Session, IReadOnlyList<JsonObject> Runs, IReadOnlyList<Item> Items);

    public sealed record Item(
        Guid RunId,
        Guid Id,
        int Sequence,
        int Ordinal,
        string Type,
        RawJson Content,
        long? TokensUsed,
        string? Error,
        DateTime StartedAt,
        DateTime FinishedAt
    );

    public static Response Build(SessionDetail detail, bool slim, bool redact)
    {
        var session = detail.Session;
        var rows = new List<(double Order, Func<int, Item> Make)>();
        foreach (var step in detail.Steps)
        {
            rows.Add(
                (step.EventSequence, ordinal => new Item(
                    step.RunId,
                    step.Id,
                    step.Sequence,
                    ordinal,
                    step.Type,
                    Content(step.Content, slim),
                    step.TokensUsed,
                    step.Error,
                    step.StartedAt,
                    step.FinishedAt
                ))
            );
        }

        foreach (var run in detail.Runs.Where(r => IsFinished(r.Status)))
        {
            var last = detail.Steps.Where(s => s.RunId == run.Id).Select(s => (double?)s.EventSequence).Max() ?? 0;
            var content = new JsonObject
            {
                ["run_id"] = run.Id,
                ["status"] = run.Status,
                ["output"] = Parse(run.Output),
                ["error"] = run.Error,
                ["total_tokens_used"] = run.TotalTokensUsed,
                ["total_cost_usd"] = run.TotalCostUsd,
                ["completed_by"] = run.CompletedBy,
                ["completion_note"] = run.CompletionNote,
            };
            var sequence = detail.Steps.Count(s => s.RunId == run.Id) + 1;
            rows.Add(
                (last + 0.5, ordinal => new Item(
                    run.Id,
                    run.Id,
                    sequence,
                    ordinal,
                    ConversationItemTypes.RunCompleted,
                    new RawJson(content.ToJsonString()),
                    run.TotalTokensUsed,
                    run.Error,
                    run.StartedAt,
                    run.FinishedAt ?? run.StartedAt
                ))
            );
        }

        if (session.FinishedAt is { } finished)
        {
            var content = new JsonObject
            {
                ["session_id"] = session.Id,
                ["status"] = session.Status,
                ["output"] = Parse(session.Output),
                ["error"] = session.Error,
                ["total_tokens_used"] = session.TotalTokensUsed,
                ["total_cost_usd"] = session.TotalCostUsd,
            };
            rows.Add(
                (double.MaxValue, ordinal => new Item(
                    session.RootRunId,
                    session.Id,
                    0,
                    ordinal,
                    ConversationItemTypes.SessionCompleted,
                    new RawJson(content.ToJsonString()),
                    session.TotalTokensUsed,
                    session.Error,
                    session.StartedAt,
                    finished
                ))
            );
        }

        var ordered = rows.OrderBy(r => r.Order).Select(r => r.Make);
        if (redact)
        {
            // Decide on the type first, then number what is left, so ordinals stay 1..n.
            ordered = ordered
                .Select(m => m(0))
                .Where(i => OutputOnlyRedaction.KeepsConversationItem(i.Type, i.RunId == session.RootRunId))
                .Select(i => (Func<int, Item>)(o => i with { Ordinal = o }));
        }

        var items = ordered.Select((make, index) => make(index + 1)).ToList();
        var sessionDto = SessionDto.From(session).ForApiCaller(redact);

        return new Response(sessionDto, [.. detail.Runs.Select(r => RunSummary(r, session, redact))], items);
    }

    private static JsonObject RunSummary(RunRow r, SessionRow s, bool redact) =>
        new JsonObject
        {
            ["id"] = r.Id,
            ["sessionId"] = r.SessionId,
            ["agentId"] = r.AgentId,
            ["agentVersionId"] = r.AgentVersionId,
            ["parentRunId"] = r.ParentRunId,
            ["depth"] = r.Depth,
            ["status"] = r.Status,
            ["totalTokensUsed"] = r.TotalTokensUsed,
            ["totalCostUsd"] = r.TotalCostUsd,
            ["output"] = redact ? null : Parse(r.Output),
            ["input"] = redact ? null : Parse(r.Input),
            ["startedAt"] = r.StartedAt,
            ["finishedAt"] = r.FinishedAt,
            ["triggerType"] = s.TriggerType,
            ["triggeredBy"] = s.TriggeredBy,
            ["triggerId"] = s.TriggerId,
            ["triggerName"] = s.TriggerName,
            ["agentName"] = r.AgentName,
            ["versionLabel"] = r.VersionLabel,
            ["llmModel"] = r.LlmModel,
            ["completedBy"] = r.CompletedBy,
            ["completionNote"] = r.CompletionNote,
        }.WithOptional("error", redact ? null : r.Error);

    private static bool IsFinished(string status) =>
        Enum.TryParse<RunStatus>(status, out var s) && RunStatusMachine.IsTerminal(s);

    /// <summary>Step contents go out as stored; only <c>slim</c> rewrites them, without building a tree.</summary>
    private static RawJson Content(string json, bool slim) =>
        slim ? new RawJson(json).WithoutKeys(SlimDropped) : new RawJson(json);

    private static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);
}
