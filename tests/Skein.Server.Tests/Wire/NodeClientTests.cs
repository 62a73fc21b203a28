using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Skein.Server.Tests.Wire;

/// <summary>
/// The wire format checked by a non-.NET client: tests/js/phrony-wire.test.mjs, a fetch-based client shaped
/// like @phrony/sdk, runs under <c>node --test</c> against the server on a real loopback port.
/// </summary>
public sealed class NodeClientTests
{
    private static readonly TimeSpan NodeDeadline = TimeSpan.FromMinutes(2);

    [StoreFact]
    public async Task A_fetch_based_javascript_client_drives_the_public_api_under_node()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        // CI installs Node (.ci/run); a missing node is a failure, never a silent skip.
        var node = FindOnPath("node")
            ?? throw new InvalidOperationException(
                "`node` is not on PATH: this test needs Node.js 18+ (Debian package nodejs; .ci/run installs it)"
            );
        var script = Path.Combine(RepositoryRoot(), "tests", "js", "phrony-wire.test.mjs");

        await using var factory = await SkeinApiFactory.FreshAsync();
        factory.UseKestrel(0);
        factory.StartServer();
        var addresses = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel exposes no server addresses");
        var baseUrl = addresses.Addresses.Single();
        Assert.StartsWith("http://127.0.0.1:", baseUrl);

        var demo = await factory.DemoAgentAsync();
        var chat = await factory.MultiTurnAgentAsync();
        var key = await ApiKeys.CreateAsync(factory.Admin, demo, chat);

        var (exitCode, output) = await RunNodeAsync(
            node,
            script,
            new Dictionary<string, string>
            {
                ["SKEIN_BASE_URL"] = baseUrl,
                ["SKEIN_API_KEY"] = key,
                ["SKEIN_CHAT_AGENT_ID"] = chat.AgentId.ToString(),
                ["SKEIN_DEMO_API_KEY"] = SkeinApiFactory.DemoApiKey,
            },
            cancellationToken
        );

        Assert.True(exitCode == 0, $"node --test exited with {exitCode}:\n{output}");
    }

    internal static async Task<(int ExitCode, string Output)> RunNodeAsync(
        string node,
        string script,
        IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken
    )
    {
        var start = new ProcessStartInfo(node)
        {
            ArgumentList = { "--test", script },
            WorkingDirectory = Path.GetDirectoryName(script),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(NodeDeadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node --test did not finish within {NodeDeadline}:\n{Snapshot(output)}");
        }

        // The parameterless wait drains the redirected streams after the exit.
        process.WaitForExit();
        return (process.ExitCode, Snapshot(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    internal static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);

    /// <summary>The folder holding Skein.slnx, found by walking up from the test assembly.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Skein.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Skein.slnx above {AppContext.BaseDirectory}");
    }
}
