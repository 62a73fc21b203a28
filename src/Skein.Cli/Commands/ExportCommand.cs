using System.CommandLine;

namespace Skein.Cli.Commands;

/// <summary><c>skein export &lt;agent&gt; [-o file]</c>: the agent's manifest YAML (secrets become inputs).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var agent = new Argument<string>("agent") { Description = "Agent name or id" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write to this file instead of stdout" };
        var command = new Command("export", "Export an agent (versions, operations it uses, triggers) as a manifest")
        {
            agent,
            output,
        };
        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    async (api, token) =>
                    {
                        var id = await api.AgentIdAsync(parse.GetValue(agent)!, token);
                        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/agents/{id}/manifest");
                        using var response = await api.SendAsync(
                            request,
                            HttpCompletionOption.ResponseContentRead,
                            token
                        );
                        var yaml = await response.Content.ReadAsStringAsync(token);
                        if (parse.GetValue(output) is { } file)
                        {
                            await File.WriteAllTextAsync(file.FullName, yaml, token);
                            await Console.Error.WriteLineAsync($"wrote {file.FullName}");
                        }
                        else
                        {
                            Console.Write(yaml);
                        }

                        return 0;
                    },
                    ct
                )
        );
        return command;
    }
}
