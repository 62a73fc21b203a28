using System.CommandLine;
using Skein.Cli.Commands;

namespace Skein.Cli;

/// <summary>
/// The <c>skein</c> command tree. <c>--server</c> (or <c>SKEIN_SERVER</c>, default http://127.0.0.1:5080) and
/// <c>--token</c> (a personal <c>skt_…</c> token, or the admin token; else <c>SKEIN_TOKEN</c>,
/// <c>SKEIN_ADMIN_TOKEN</c>, else the server's <c>data/admin-token</c> file) apply to every command.
/// </summary>
public static class SkeinCli
{
    public const string DefaultServer = "http://127.0.0.1:5080";

    public static readonly Option<string> Server = new("--server")
    {
        Description = "Skein server URL (env SKEIN_SERVER)",
        Recursive = true,
        DefaultValueFactory = _ =>
            Environment.GetEnvironmentVariable("SKEIN_SERVER") is { Length: > 0 } s ? s : DefaultServer,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description =
            "Personal token skt_… or admin token (env SKEIN_TOKEN, SKEIN_ADMIN_TOKEN; else read from "
            + "$SKEIN_DATA_DIR/admin-token or ./data/admin-token)",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("Skein: agents as code, runs and sessions from the terminal");
        root.Options.Add(Server);
        root.Options.Add(Token);
        root.Subcommands.Add(ApplyCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        foreach (var command in SessionCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        foreach (var command in ReplayCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(TaskCommands.List());
        root.Subcommands.Add(TaskCommands.Create("approve", approved: true));
        root.Subcommands.Add(TaskCommands.Create("reject", approved: false));
        root.Subcommands.Add(WhoAmICommand.Create());
        return root;
    }

    /// <summary>Runs a command body with the server client, turning every expected failure into a message and an exit
    /// code.</summary>
    public static async Task<int> RunAsync(
        ParseResult parse,
        Func<SkeinApi, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken
    )
    {
        try
        {
            using var api = SkeinApi.Create(parse.GetValue(Server) ?? DefaultServer, parse.GetValue(Token));
            return await body(api, cancellationToken);
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            return e.ExitCode;
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync(
                $"error: cannot reach the Skein server at {parse.GetValue(Server)}: {e.Message}"
            );
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return 130;
        }
    }
}
