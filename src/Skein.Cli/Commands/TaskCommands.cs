using System.CommandLine;
using System.Text.Json;
using Skein.Cli.Follow;

namespace Skein.Cli.Commands;

/// <summary><c>skein tasks</c> (pending user tasks with their arguments) and <c>skein approve|reject &lt;taskId&gt;
/// [--comment text]</c>, which show the task before answering it. Ids may be short, as the dashboard shows
/// them.</summary>
public static class TaskCommands
{
    private const int PageSize = 100;

    public static Command List()
    {
        var kind = new Option<string?>("--kind") { Description = "Only tasks of this kind (approval, text, …)" };
        var json = new Option<bool>("--json") { Description = "Print the raw JSON" };
        var command = new Command("tasks", "Pending user tasks (approvals, questions), newest first, with arguments")
        {
            kind,
            json,
        };
        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    async (api, token) =>
                    {
                        var query = $"/api/tasks?status=Pending&take={PageSize}";
                        if (parse.GetValue(kind) is { } k)
                        {
                            query += "&kind=" + Uri.EscapeDataString(k);
                        }

                        var page = await api.GetJsonAsync(query, token);
                        if (parse.GetValue(json))
                        {
                            Console.WriteLine(page.GetRawText());
                            return 0;
                        }

                        var items = page.GetProperty("items").EnumerateArray().ToList();
                        if (items.Count == 0)
                        {
                            Console.WriteLine("no pending tasks");
                            return 0;
                        }

                        var names = await AgentNamesAsync(api, token);
                        foreach (var task in items)
                        {
                            Print(task, names);
                        }

                        return 0;
                    },
                    ct
                )
        );
        return command;
    }

    public static Command Create(string name, bool approved)
    {
        var taskId = new Argument<string>("taskId")
        {
            Description = "User task id, or its short id (shown by skein tasks, skein run --follow, skein session)",
        };
        var comment = new Option<string?>("--comment") { Description = "A note kept with the answer" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Answer without asking first on a terminal" };
        var command = new Command(name, approved ? "Approve a pending approval task" : "Reject a pending approval task")
        {
            taskId,
            comment,
            yes,
        };
        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    async (api, token) =>
                    {
                        var id = await api.IdAsync(parse.GetValue(taskId) ?? "", "task", token);
                        var verb = approved ? "approve" : "reject";
                        if (await FindPendingAsync(api, id, token) is { } task)
                        {
                            Console.WriteLine($"{(approved ? "Approving" : "Rejecting")}:");
                            Print(task, await AgentNamesAsync(api, token));
                        }

                        // On a terminal the operator reads what they answer first; scripts (redirected input) do not
                        // wait for a question.
                        if (
                            !parse.GetValue(yes)
                            && !Console.IsInputRedirected
                            && !SkeinApi.Confirm($"{char.ToUpperInvariant(verb[0])}{verb[1..]} task {id}?")
                        )
                        {
                            await Console.Error.WriteLineAsync($"not answered: task {id} is still pending");
                            return 1;
                        }

                        var result = await api.PostJsonAsync(
                            $"/api/tasks/{id}/answer",
                            new { approved, comment = parse.GetValue(comment) },
                            token
                        );
                        Console.WriteLine(
                            $"task {id} {(approved ? "approved" : "rejected")}: "
                                + $"{result.GetProperty("status").GetString()}"
                        );
                        return 0;
                    },
                    ct
                )
        );
        return command;
    }

    /// <summary>A task as <c>skein tasks</c> prints it: short id, kind, agent, session, summary, then the tool and
    /// its arguments in full.</summary>
    private static void Print(JsonElement task, IReadOnlyDictionary<Guid, string> agents)
    {
        var id = task.GetProperty("id").GetGuid();
        var session = task.GetProperty("sessionId").GetGuid();
        var agent = agents.GetValueOrDefault(task.GetProperty("agentId").GetGuid(), "?");
        Console.WriteLine(
            $"task {Short(id)}  {task.GetProperty("kind").GetString()}  agent {agent}  session {Short(session)}  "
                + $"({id})"
        );
        Console.WriteLine($"  {task.GetProperty("summary").GetString()}");
        var context = task.GetProperty("context");
        var isObject = context.ValueKind == JsonValueKind.Object;
        if (isObject && context.TryGetProperty("tool", out _))
        {
            Console.WriteLine($"  tool {StepText.Text(context, "tool")}");
        }

        if (isObject && context.TryGetProperty("arguments", out var args))
        {
            Console.WriteLine(
                "  arguments "
                    + JsonSerializer.Serialize(args, Indented).Replace("\n", "\n  ", StringComparison.Ordinal)
            );
        }
        else if (isObject && !context.TryGetProperty("tool", out _))
        {
            Console.WriteLine("  context " + StepText.Json(context));
        }
    }

    private static async Task<JsonElement?> FindPendingAsync(SkeinApi api, Guid id, CancellationToken token)
    {
        for (var skip = 0; ; skip += PageSize)
        {
            var page = await api.GetJsonAsync($"/api/tasks?status=Pending&skip={skip}&take={PageSize}", token);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            foreach (var task in items.Where(t => t.GetProperty("id").GetGuid() == id))
            {
                return task;
            }

            if (items.Count < PageSize)
            {
                return null;
            }
        }
    }

    private static async Task<IReadOnlyDictionary<Guid, string>> AgentNamesAsync(
        SkeinApi api,
        CancellationToken token
    ) =>
        (await api.GetJsonAsync("/api/agents", token))
            .GetProperty("items")
            .EnumerateArray()
            .ToDictionary(x => x.GetProperty("id").GetGuid(), x => x.GetProperty("name").GetString() ?? "");

    /// <summary>The last 8 hex digits, as the dashboard shows ids.</summary>
    public static string Short(Guid id) => id.ToString("N")[^8..];

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
