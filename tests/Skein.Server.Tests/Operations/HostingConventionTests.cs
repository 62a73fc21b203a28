using System.Net;
using System.Net.Sockets;
using Skein.Testing;

namespace Skein.Server.Tests.Operations;

/// <summary>
/// The server started the ways operators start it: from any working directory, on the port ASP.NET Core's own
/// settings name, published and run from <c>/</c>; and what it does when it cannot start.
/// </summary>
public sealed class HostingConventionTests
{
    [Fact]
    public async Task BinStartFromAnotherDirectoryHonoursHttpPortsAndKeepsDataThere()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cwd = new TempDirectory("skein-cwd");
        var port = LaunchedProcess.FreePort();
        using var server = LaunchedProcess.StartServerDll(
            [],
            cwd.Path,
            new Dictionary<string, string>
            {
                ["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }
        );
        var root = $"http://127.0.0.1:{port}";
        await server.WaitForAsync(root + "/healthz/ready", ct);

        using var client = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(root + "/healthz/live", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(root + "/healthz", ct)).StatusCode);
        using var css = await client.GetAsync(root + "/dashboard/dashboard.css", ct);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);

        // The data folder is ./data of the working directory, not of the application's folder.
        Assert.True(File.Exists(Path.Combine(cwd.Path, "data", "skein.db")), server.Output);
        await server.TerminateAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("Executed DbCommand", server.Stdout, StringComparison.Ordinal);

        // Secrets generated at first start are in files; the log says where, never what.
        var token = (await File.ReadAllTextAsync(Path.Combine(cwd.Path, "data", "admin-token"), ct)).Trim();
        var key = (await File.ReadAllTextAsync(Path.Combine(cwd.Path, "data", "demo-api-key"), ct)).Trim();
        Assert.DoesNotContain(token, server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, server.Output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(cwd.Path, "data", "admin-token"), server.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortInUseExitsNonZeroWithOneReadableLine()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("skein-conflict");
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        using var server = LaunchedProcess.StartServerDll(
            ["--urls", $"http://127.0.0.1:{port}"],
            data.Path,
            new Dictionary<string, string> { ["SKEIN_DATA_DIR"] = data.Path }
        );
        var code = await server.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, code);
        Assert.NotEqual(134, code);
        var failure = Assert.Single(server.Output.Split('\n'), l =>
            l.Contains("failed to start", StringComparison.Ordinal)
        );
        Assert.Contains("address already in use", failure, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondServerOnTheSameSqliteStoreExitsBeforeItResumesAnyRun()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("skein-twice");
        using var first = await ServerProcess.StartAsync(data.Path, "first-admin-token", ct);

        // Another port, so only the store is shared; logging at Information shows whether its run supervisor started.
        using var second = LaunchedProcess.StartServerDll(
            ["--urls", $"http://127.0.0.1:{LaunchedProcess.FreePort()}"],
            data.Path,
            new Dictionary<string, string>
            {
                ["SKEIN_DATA_DIR"] = data.Path,
                ["Logging__LogLevel__Default"] = "Information",
            }
        );
        var code = await second.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(1, code);
        var line = Assert.Single(second.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("another Skein server uses the database", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Resumed", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", second.Output, StringComparison.Ordinal);
        using var health = await first.Client.GetAsync("/healthz", ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task BadConfigurationExitsNonZeroWithOneReadableLine()
    {
        using var data = new TempDirectory("skein-badconfig");
        using var server = LaunchedProcess.StartServerDll(
            ["--urls", $"http://127.0.0.1:{LaunchedProcess.FreePort()}"],
            data.Path,
            new Dictionary<string, string> { ["SKEIN_DATA_DIR"] = data.Path, ["Skein__Store"] = "oracle" }
        );
        var code = await server.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(1, code);
        var line = Assert.Single(server.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Skein:Store", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
    }
}
