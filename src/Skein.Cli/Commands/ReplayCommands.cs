using System.CommandLine;

namespace Skein.Cli.Commands;

/// <summary><c>skein rerun &lt;sessionId&gt;</c> and <c>skein fork &lt;sessionId&gt; --from &lt;sequence&gt;</c>: new
/// sessions made from an existing one (SPEC section 10).</summary>
public static class ReplayCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Rerun();
        yield return Fork();
    }

    private static Command Rerun()
    {
        var id = new Argument<Guid>("sessionId");
        var command = new Command("rerun", "Start a new session with the same input on the agent's Deployed version")
        {
            id,
        };
        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    async (api, token) =>
                    {
                        var started = await api.PostJsonAsync($"/api/sessions/{parse.GetValue(id)}/rerun", null, token);
                        Print(started);
                        return 0;
                    },
                    ct
                )
        );
        return command;
    }

    private static Command Fork()
    {
        var id = new Argument<Guid>("sessionId");
        var from = new Option<long>("--from")
        {
            Description = "The step to fork from: its eventSequence (in `skein session <id> --json`, or the dashboard)",
            Required = true,
        };
        var command = new Command(
            "fork",
            "Start a new session that copies the timeline up to a step and continues live from there"
        )
        {
            id,
            from,
        };
        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    async (api, token) =>
                    {
                        var started = await api.PostJsonAsync(
                            $"/api/sessions/{parse.GetValue(id)}/fork",
                            new { fromSequence = parse.GetValue(from) },
                            token
                        );
                        Print(started);
                        return 0;
                    },
                    ct
                )
        );
        return command;
    }

    private static void Print(System.Text.Json.JsonElement started) =>
        Console.WriteLine(
            $"session {started.GetProperty("sessionId").GetGuid()} run {started.GetProperty("runId").GetGuid()}"
        );
}
