using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Skein.Cli.Follow;

namespace Skein.Cli.Commands;

/// <summary><c>skein sessions</c>, <c>skein session &lt;id&gt;</c>, <c>skein terminate &lt;id&gt;</c>, <c>skein
/// complete &lt;id&gt;</c>.</summary>
public static class SessionCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return List();
        yield return Show();
        yield return Action(
            "terminate",
            "terminate",
            "Terminate a session: its runs fail, pending tasks are cancelled (irreversible; asks first unless --yes)",
            "Terminate this session? In-progress runs fail and pending tasks are cancelled; this cannot be undone."
        );
        yield return Action("complete", "complete", "Mark a waiting session complete");
    }

    private static Command List()
    {
        var status = new Option<string?>("--status")
        {
            Description = "Only sessions in this status (Running, WaitingForHITL, Completed, Failed, …)",
        };
        var agent = new Option<string?>("--agent") { Description = "Only sessions of this agent (name or id)" };
        var take = new Option<int>("--take") { Description = "How many (1-100)", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print the raw JSON" };
        var search = new Option<string?>("--search")
        {
            Description = "Only sessions whose input, output or error holds every one of these words",
        };
        var tag = new Option<string?>("--tag") { Description = "Only sessions started with this tag (key:value)" };
        var command = new Command("sessions", "Recent sessions, newest first")
        {
            status,
            agent,
            take,
            json,
            search,
            tag,
        };
        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    async (api, token) =>
                    {
                        var query = new List<string> { $"take={parse.GetValue(take)}" };
                        if (parse.GetValue(status) is { } s)
                        {
                            query.Add("status=" + Uri.EscapeDataString(s));
                        }

                        if (parse.GetValue(agent) is { } a)
                        {
                            query.Add($"agentId={await api.AgentIdAsync(a, token)}");
                        }

                        if (parse.GetValue(search) is { } q)
                        {
                            query.Add("q=" + Uri.EscapeDataString(q));
                        }

                        if (parse.GetValue(tag) is { } t)
                        {
                            query.Add("tag=" + Uri.EscapeDataString(t));
                        }

                        var page = await api.GetJsonAsync("/api/sessions?" + string.Join("&", query), token);
                        if (parse.GetValue(json))
                        {
                            Console.WriteLine(page.GetRawText());
                            return 0;
                        }

                        var names = (await api.GetJsonAsync("/api/agents", token))
                            .GetProperty("items")
                            .EnumerateArray()
                            .ToDictionary(
                                x => x.GetProperty("id").GetGuid(),
                                x => x.GetProperty("name").GetString() ?? ""
                            );
                        Console.WriteLine(
                            $"{"SESSION", -36}  {"AGENT", -20} {"STATUS", -18} {"STARTED (UTC)", -19} {"TOKENS", 7} "
                                + $"TRIGGER"
                        );
                        foreach (var item in page.GetProperty("items").EnumerateArray())
                        {
                            Console.WriteLine(
                                $"{item.GetProperty("id").GetGuid(), -36}  "
                                    + $"{names.GetValueOrDefault(item.GetProperty("agentId").GetGuid(), "?"), -20} "
                                    + $"{item.GetProperty("status").GetString(), -18} "
                                    + $"{Time(item.GetProperty("startedAt")), -19} "
                                    + $"{item.GetProperty("totalTokensUsed").GetInt64(), 7} "
                                    + $"{item.GetProperty("triggerType").GetString()}"
                            );
                        }

                        return 0;
                    },
                    ct
                )
        );
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("sessionId") { Description = "Session id, or its short id" };
        var json = new Option<bool>("--json") { Description = "Print the raw JSON (session, runs, steps, tasks)" };
        var command = new Command("session", "A session: status, runs, timeline and user tasks") { id, json };
        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    async (api, token) =>
                    {
                        var sessionId = await api.IdAsync(parse.GetValue(id) ?? "", "session", token);
                        var detail = await api.GetJsonAsync($"/api/sessions/{sessionId}", token);
                        if (parse.GetValue(json))
                        {
                            Console.WriteLine(detail.GetRawText());
                            return 0;
                        }

                        Print(detail);
                        return 0;
                    },
                    ct
                )
        );
        return command;
    }

    public static void Print(JsonElement detail)
    {
        var s = detail.GetProperty("session");
        Console.WriteLine($"session {s.GetProperty("id").GetGuid()}  {s.GetProperty("status").GetString()}");
        Console.WriteLine(
            $"  agent {s.GetProperty("agentId").GetGuid()}  model {s.GetProperty("llmModel").GetString()}  trigger "
                + $"{s.GetProperty("triggerType").GetString()}"
        );
        Console.WriteLine(
            $"  started {Time(s.GetProperty("startedAt"))}  finished {Time(s.GetProperty("finishedAt"))}  tokens "
                + $"{s.GetProperty("totalTokensUsed").GetInt64()}"
        );
        foreach (var run in detail.GetProperty("runs").EnumerateArray())
        {
            Console.WriteLine($"  run {run.GetProperty("id").GetGuid()}  {run.GetProperty("status").GetString()}");
        }

        foreach (var step in detail.GetProperty("steps").EnumerateArray())
        {
            Console.WriteLine(
                StepText.Truncate(
                    $"  {step.GetProperty("sequence").GetInt32(), 3}. "
                        + StepText.Describe(step.GetProperty("type").GetString() ?? "", step.GetProperty("content"))
                )
            );
        }

        foreach (var task in detail.TryGetProperty("tasks", out var tasks) ? tasks.EnumerateArray() : default)
        {
            Console.WriteLine(
                $"  task {task.GetProperty("id").GetGuid()}  {task.GetProperty("kind").GetString()}  "
                    + $"{task.GetProperty("status").GetString()}  {task.GetProperty("summary").GetString()}"
            );
        }

        if (s.TryGetProperty("output", out var output) && output.ValueKind != JsonValueKind.Null)
        {
            Console.WriteLine($"  output: {StepText.Json(output)}");
        }

        if (s.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
        {
            Console.WriteLine($"  error: {error.GetString()}");
        }
    }

    /// <summary>A session action; with <paramref name="confirm"/> (an irreversible one) it shows the session and asks
    /// first, unless <c>--yes</c>.</summary>
    private static Command Action(string name, string route, string description, string? confirm = null)
    {
        var id = new Argument<string>("sessionId") { Description = "Session id, or its short id" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask first" };
        var command = new Command(name, description) { id };
        if (confirm is not null)
        {
            command.Options.Add(yes);
        }

        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    async (api, token) =>
                    {
                        var sessionId = await api.IdAsync(parse.GetValue(id) ?? "", "session", token);
                        if (confirm is not null && !parse.GetValue(yes))
                        {
                            var session = (await api.GetJsonAsync($"/api/sessions/{sessionId}", token)).GetProperty(
                                "session"
                            );
                            Console.WriteLine(
                                $"session {sessionId}  {session.GetProperty("status").GetString()}  started "
                                    + $"{Time(session.GetProperty("startedAt"))}"
                            );
                            if (!SkeinApi.Confirm(confirm))
                            {
                                await Console.Error.WriteLineAsync(
                                    $"not {name}d: session {sessionId} is unchanged (--yes skips the question)"
                                );
                                return 1;
                            }
                        }

                        var result = await api.PostJsonAsync($"/api/sessions/{sessionId}/{route}", null, token);
                        Console.WriteLine($"session {sessionId}: {result.GetProperty("status").GetString()}");
                        return 0;
                    },
                    ct
                )
        );
        return command;
    }

    private static string Time(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetDateTime().ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : "-";
}
