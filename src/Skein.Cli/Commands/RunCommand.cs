using System.CommandLine;
using System.Text.Json;
using Skein.Cli.Follow;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein run &lt;agent&gt; --input '{...}' [--follow]</c>: starts a run of the deployed (or <c>--version</c>)
/// version.
/// With <c>--follow</c> it streams the timeline until the session finishes and exits non-zero unless it completed.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var agent = new Argument<string>("agent") { Description = "Agent name or id" };
        var input = new Option<string?>("--input", "-i") { Description = "Run input as a JSON object" };
        var version = new Option<Guid?>("--version-id")
        {
            Description = "Run this version instead of the deployed one",
        };
        var follow = new Option<bool>("--follow")
        {
            Description = "Stream the timeline live and wait for the session to finish",
        };
        var command = new Command("run", "Start a run of an agent") { agent, input, version, follow };
        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    async (api, token) =>
                    {
                        var body = ParseInput(parse.GetValue(input));
                        var agentId = await api.AgentIdAsync(parse.GetValue(agent)!, token);
                        var started = await api.PostJsonAsync(
                            $"/api/agents/{agentId}/runs",
                            new { input = body, versionId = parse.GetValue(version) },
                            token
                        );
                        var sessionId = started.GetProperty("sessionId").GetGuid();
                        var runId = started.GetProperty("runId").GetGuid();
                        if (!parse.GetValue(follow))
                        {
                            Console.WriteLine($"session {sessionId}");
                            Console.WriteLine($"run     {runId}");
                            Console.WriteLine($"status  {started.GetProperty("status").GetString()}");
                            return 0;
                        }

                        return await new RunFollower(api, Console.Out, !Console.IsOutputRedirected).FollowAsync(
                            sessionId,
                            runId,
                            token
                        );
                    },
                    ct
                )
        );
        return command;
    }

    private static JsonElement ParseInput(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return JsonDocument.Parse("{}").RootElement.Clone();
        }

        try
        {
            var input = JsonDocument.Parse(text).RootElement.Clone();
            return input.ValueKind == JsonValueKind.Object
                ? input
                : throw new CliException("--input must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new CliException($"--input is not valid JSON: {e.Message}");
        }
    }
}
