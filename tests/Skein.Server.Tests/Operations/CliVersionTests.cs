using System.Reflection;
using Skein.Server.Tests.Cli;
using Skein.Testing;

namespace Skein.Server.Tests.Operations;

/// <summary><c>skein --version</c> prints the product version the build stamped (Directory.Build.props), the same
/// one the server reports as its OpenTelemetry <c>service.version</c>.</summary>
public sealed class CliVersionTests
{
    [Fact]
    public async Task VersionIsTheBuildsInformationalVersion()
    {
        using var work = new TempDirectory("skein-cli-version");
        using var cli = CliProcess.Start(new Uri("http://127.0.0.1:9"), null, work.Path, "--version");
        Assert.Equal(0, await cli.ExitAsync());

        var expected = typeof(Program)
            .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!
            .InformationalVersion;
        Assert.Equal(expected, cli.Stdout.Trim());
        Assert.StartsWith(Hosting.TelemetrySetup.Version + "+", cli.Stdout.Trim(), StringComparison.Ordinal);
        Assert.False(cli.Stdout.StartsWith("1.0.0", StringComparison.Ordinal), "the SDK's default version");
    }
}
