using System.Net;
using Skein.Testing;

namespace Skein.Server.Tests.Operations;

/// <summary>
/// <c>dotnet publish src/Skein.Server -c Release -o out</c> gives a folder that runs as <c>out/Skein.Server</c> from
/// any directory: started from <c>/</c> it reads its appsettings (no SQL in the log at default settings) and
/// serves the dashboard's assets.
/// </summary>
[RunsLong(15)]
public sealed class PublishedFolderTests
{
    [Fact]
    public async Task PublishedServerStartedFromRootServesDashboardCssAndLogsNoSql()
    {
        var ct = TestContext.Current.CancellationToken;
        var repository = RepositoryRoot();
        using var output = new TempDirectory("skein-publish");
        using var data = new TempDirectory("skein-publish-data");

        // --no-build: the test run's own build output is published (the publish step is what is tested).
        using (
            var publish = LaunchedProcess.Start(
                ServerProcess.DotnetHost(),
                [
                    "publish",
                    Path.Combine(repository, "src", "Skein.Server"),
                    "-c",
                    "Release",
                    "--no-build",
                    "--nologo",
                    "-o",
                    output.Path,
                ],
                repository,
                new Dictionary<string, string>()
            )
        )
        {
            Assert.True(await publish.WaitForExitAsync(TimeSpan.FromMinutes(5)) == 0, publish.Output);
        }

        var port = LaunchedProcess.FreePort();
        using var server = LaunchedProcess.Start(
            Path.Combine(output.Path, "Skein.Server"),
            [],
            "/",
            new Dictionary<string, string>
            {
                ["SKEIN_DATA_DIR"] = data.Path,
                ["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }
        );
        var root = $"http://127.0.0.1:{port}";
        await server.WaitForAsync(root + "/healthz/ready", ct);
        using var client = new HttpClient();
        using var css = await client.GetAsync(root + "/dashboard/dashboard.css", ct);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(root + "/metrics", ct)).StatusCode);
        await server.TerminateAsync(TimeSpan.FromSeconds(10));

        Assert.Contains($"Content root path: {output.Path}", server.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Executed DbCommand", server.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SELECT ", server.Stdout, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Skein.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Skein.slnx) is not above the test assembly");
    }
}
