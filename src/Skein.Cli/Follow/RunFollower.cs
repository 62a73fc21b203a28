using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Skein.Cli.Follow;

/// <summary>
/// Follows a session's SSE stream (<c>/api/runs/{runId}/stream</c>), printing one line per event. On a terminal a
/// progress line (spinner, status, steps, tokens, elapsed time) stays under the timeline. A dropped connection resumes
/// with Last-Event-ID, so nothing is missed or printed twice. Exit code: 0 when the session completed (or, for a
/// multi_turn agent, answered and waits for the next message), else 1.
/// </summary>
public sealed class RunFollower(SkeinApi api, TextWriter output, bool interactive)
{
    private static readonly string[] Spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    private const int MaxReconnects = 5;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _depths = new(StringComparer.Ordinal);
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private string _status = "Running";
    private int _steps;
    private long _tokens;
    private int _frame;
    private bool _progressShown;

    /// <summary>The run and iteration whose model text is printed as it arrives (the line is still open).</summary>
    private string? _streaming;
    private string? _streamed;

    public async Task<int> FollowAsync(Guid sessionId, Guid runId, CancellationToken cancellationToken)
    {
        Write($"following session {sessionId} (run {runId})");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ticker = interactive ? TickAsync(stop.Token) : Task.CompletedTask;
        try
        {
            string? lastEventId = null;
            var finished = false;
            for (var attempt = 0; !finished && attempt <= MaxReconnects; attempt++)
            {
                (finished, lastEventId) = await ReadStreamAsync(runId, lastEventId, cancellationToken);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await ticker;
            ClearProgress();
        }

        var detail = await api.GetJsonAsync($"/api/sessions/{sessionId}", cancellationToken);
        var session = detail.GetProperty("session");
        var status = session.GetProperty("status").GetString();
        if (session.TryGetProperty("output", out var result) && result.ValueKind != JsonValueKind.Null)
        {
            output.WriteLine($"output: {StepText.Json(result)}");
        }

        if (session.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
        {
            output.WriteLine($"error: {error.GetString()}");
        }

        output.WriteLine(
            $"session {status} in {_elapsed.Elapsed.TotalSeconds:0.0} s, "
                + $"{session.GetProperty("totalTokensUsed").GetInt64()} tokens"
        );
        return status is "Completed" or "WaitingForResponse" ? 0 : 1;
    }

    private async Task<(bool Finished, string? LastEventId)> ReadStreamAsync(
        Guid runId,
        string? lastEventId,
        CancellationToken cancellationToken
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/runs/{runId}/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        try
        {
            using var response = await api.SendAsync(
                request,
                HttpCompletionOption.ResponseHeadersRead,
                cancellationToken
            );
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    lastEventId = line[4..];
                }
                else if (
                    line.StartsWith("data: ", StringComparison.Ordinal)
                    && line.Length > 6
                    && Handle(JsonDocument.Parse(line[6..]).RootElement)
                )
                {
                    return (true, lastEventId);
                }
            }
        }
        catch (IOException)
        {
            // The connection dropped mid-stream: resume after the last event seen.
        }

        return (false, lastEventId);
    }

    /// <summary>Prints one event; true when the session has finished.</summary>
    private bool Handle(JsonElement e)
    {
        var subject = e.GetProperty("subject").GetString() ?? "";
        var data = e.GetProperty("data");
        if (subject == "engine.step.delta")
        {
            Delta(e, data);
            return false;
        }

        var ts =
            e.TryGetProperty("ts", out var t) && t.TryGetDateTimeOffset(out var at)
                ? at.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)
                : "";
        var indent = Indent(data);
        string? text = subject switch
        {
            "engine.session.started" => null,
            "engine.run.started" => $"run {StepText.Text(data, "run_id")} started: {StepText.Text(data, "agent_name")} "
                + $"{StepText.Text(data, "version_label")}",
            "engine.subagent.spawned" => $"sub-agent run {RunId(data)} started: {StepText.Text(data, "agent_name")} "
                + $"{StepText.Text(data, "version_label")} (depth {StepText.Text(data, "depth")}, parent "
                + $"{StepText.Text(data, "parent_run_id")}{StepText.Text(data, "parentRunId")})",
            "engine.run.status_changed" or "engine.run.completed" =>
                $"run → {StepText.Text(data, "status")}{Suffix(data, "error")}",
            "engine.session.status_changed" or "engine.session.completed" =>
                $"session → {StepText.Text(data, "status")}{Suffix(data, "error")}",
            "engine.user_task.created" =>
                $"needs a person ({StepText.Text(data, "kind")}): {StepText.Text(data, "summary")}\n"
                    + $"             answer with: skein approve {StepText.Text(data, "user_task_id")}   or   skein "
                    + $"reject {StepText.Text(data, "user_task_id")}",
            "engine.user_task.completed" =>
                $"task {StepText.Text(data, "user_task_id")} answered {StepText.Compact(data, "outcome")}",
            "engine.user_task.cancelled" => $"task {StepText.Text(data, "user_task_id")} cancelled",
            "engine.aitl.requested" => StepText.Truncate(StepText.Describe("AitlRequest", data)),
            "engine.aitl.resolved" => StepText.Truncate(StepText.Describe("AitlResolved", data)),
            _ when subject.StartsWith("engine.step.", StringComparison.Ordinal) => Step(
                subject["engine.step.".Length..],
                data
            ),
            _ => subject,
        };

        lock (_lock)
        {
            if (
                subject.StartsWith("engine.session.", StringComparison.Ordinal)
                && data.TryGetProperty("status", out var status)
            )
            {
                _status = status.GetString() ?? _status;
            }
        }

        if (subject == "engine.step.reasoning" && StreamKey(data, "run_id", "iteration") == _streamed)
        {
            // Its text was printed as it arrived: end that line instead of repeating it.
            text = null;
            EndStream();
        }

        if (text is not null)
        {
            Write($"{ts}  {indent}{text}");
        }

        // A multi_turn agent has answered once it waits for the next message: following ends there too.
        return subject == "engine.session.completed"
            || (subject == "engine.session.status_changed" && StepText.Text(data, "status") == "WaitingForResponse");
    }

    /// <summary>Child runs print indented under their parent: two spaces per level of the run tree.</summary>
    private string Indent(JsonElement data)
    {
        var runId = RunId(data);
        lock (_lock)
        {
            if (
                runId.Length > 0
                && data.TryGetProperty("depth", out var d)
                && d.ValueKind == JsonValueKind.Number
                && d.TryGetInt32(out var depth)
            )
            {
                _depths[runId] = depth;
            }

            return runId.Length > 0 && _depths.TryGetValue(runId, out var known) ? new string(' ', 2 * known) : "";
        }
    }

    /// <summary>Model text as it is generated (<c>engine.step.delta</c>): printed on one open line per model call,
    /// which the committed reasoning step closes.</summary>
    private void Delta(JsonElement e, JsonElement data)
    {
        var key = StreamKey(data, "runId", "iteration");
        // Control characters (terminal escapes) in model text are not the terminal's business.
        var piece = string.Concat(StepText.Text(data, "text").Where(c => !char.IsControl(c) || c is '\n' or '\t'));
        lock (_lock)
        {
            if (_streaming != key)
            {
                if (_streaming is not null)
                {
                    output.WriteLine();
                }

                ClearProgressLocked();
                var ts =
                    e.TryGetProperty("ts", out var t) && t.TryGetDateTimeOffset(out var at)
                        ? at.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)
                        : "";
                var indent = _depths.TryGetValue(StepText.Text(data, "runId"), out var depth)
                    ? new string(' ', 2 * depth)
                    : "";
                output.Write($"{ts}  {indent}model: ");
                _streaming = _streamed = key;
            }

            output.Write(piece);
            output.Flush();
        }
    }

    private void EndStream()
    {
        lock (_lock)
        {
            if (_streaming is not null)
            {
                output.WriteLine();
                _streaming = null;
            }
        }
    }

    private static string StreamKey(JsonElement data, string runProperty, string iterationProperty) =>
        StepText.Text(data, runProperty) + ":" + StepText.Text(data, iterationProperty);

    private static string RunId(JsonElement data) =>
        StepText.Text(data, "run_id") is { Length: > 0 } id ? id : StepText.Text(data, "runId");

    private string Step(string type, JsonElement data)
    {
        lock (_lock)
        {
            _steps++;
            _tokens +=
                data.TryGetProperty("tokens_used", out var used) && used.ValueKind == JsonValueKind.Number
                    ? used.GetInt64()
                    : 0;
        }

        return StepText.Truncate(StepText.Describe(type, data));
    }

    private static string Suffix(JsonElement data, string property) =>
        StepText.Text(data, property) is { Length: > 0 } value && value != "null" ? $" ({value})" : "";

    private void Write(string line)
    {
        lock (_lock)
        {
            if (_streaming is not null)
            {
                output.WriteLine();
                _streaming = null;
            }

            ClearProgressLocked();
            output.WriteLine(line);
            RenderLocked();
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(120));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                lock (_lock)
                {
                    _frame++;
                    RenderLocked();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Following ended.
        }
    }

    private void RenderLocked()
    {
        // The progress line would overwrite model text still arriving on the open line.
        if (!interactive || _streaming is not null)
        {
            return;
        }

        output.Write(
            $"\r{Spinner[_frame % Spinner.Length]} {_status} · {_steps} steps · {_tokens} tokens · "
                + $"{_elapsed.Elapsed.TotalSeconds:0.0} s   "
        );
        output.Flush();
        _progressShown = true;
    }

    private void ClearProgress()
    {
        lock (_lock)
        {
            ClearProgressLocked();
        }
    }

    private void ClearProgressLocked()
    {
        if (_progressShown)
        {
            output.Write("\r" + new string(' ', 72) + "\r");
            _progressShown = false;
        }
    }
}
