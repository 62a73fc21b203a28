using System.CommandLine;

namespace Skein.Cli.Commands;

/// <summary><c>skein approve|reject &lt;taskId&gt; [--comment text]</c>: answer an approval user task.</summary>
public static class TaskCommands
{
    public static Command Create(string name, bool approved)
    {
        var taskId = new Argument<Guid>("taskId")
        {
            Description = "User task id (shown by skein run --follow and skein session)",
        };
        var comment = new Option<string?>("--comment") { Description = "A note kept with the answer" };
        var command = new Command(name, approved ? "Approve a pending approval task" : "Reject a pending approval task")
        {
            taskId,
            comment,
        };
        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    async (api, token) =>
                    {
                        var id = parse.GetValue(taskId);
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
}
