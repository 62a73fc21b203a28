using System.CommandLine;

namespace Skein.Cli.Commands;

/// <summary><c>skein whoami</c>: the user and role the token acts as (<c>GET /api/me</c>).</summary>
public static class WhoAmICommand
{
    public static Command Create()
    {
        var command = new Command("whoami", "Show the user and role your token acts as");
        command.SetAction(
            (parse, ct) =>
                SkeinCli.RunAsync(
                    parse,
                    async (api, token) =>
                    {
                        var me = await api.GetJsonAsync("/api/me", token);
                        var via =
                            me.TryGetProperty("tokenId", out var t)
                            && t.ValueKind == System.Text.Json.JsonValueKind.String
                                ? $" (personal token {t.GetString()})"
                                : "";
                        Console.WriteLine(
                            $"{me.GetProperty("email").GetString()} · {me.GetProperty("displayName").GetString()} · "
                                + $"{me.GetProperty("role").GetString()}{via}"
                        );
                        return 0;
                    },
                    ct
                )
        );
        return command;
    }
}
