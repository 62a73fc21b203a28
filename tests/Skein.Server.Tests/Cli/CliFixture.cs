using Skein.Server.Tests.Crash;
using Skein.Server.Tests.Manifests;
using Skein.Testing;

namespace Skein.Server.Tests.Cli;

/// <summary>One real server process (its own SQLite data folder) and an HTTP operation receiver, shared by the CLI
/// tests.</summary>
public sealed class CliFixture : IAsyncLifetime
{
    public const string Token = "cli-test-admin-token";

    public TempDirectory Data { get; } = new("skein-cli");

    public TempDirectory Work { get; } = new("skein-cli-work");

    public ServerProcess Server { get; private set; } = null!;

    public OperationReceiver Receiver { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Receiver = await OperationReceiver.StartAsync(CancellationToken.None);
        Server = await ServerProcess.StartAsync(Data.Path, Token, CancellationToken.None);
        foreach (var name in new[] { "request-agent.yaml", "hitl-agent.yaml" })
        {
            await File.WriteAllTextAsync(Path.Combine(Work.Path, name), ManifestClient.Sample(name));
        }

        await File.WriteAllTextAsync(
            Path.Combine(Work.Path, "request-values.yaml"),
            $"orders_base_url: {Receiver.BaseUrl}\n"
        );
        await File.WriteAllTextAsync(
            Path.Combine(Work.Path, "hitl-values.yaml"),
            $"payments_base_url: {Receiver.BaseUrl}\n"
        );
    }

    public CliProcess Start(params string[] args) => CliProcess.Start(Server.BaseAddress, Token, Work.Path, args);

    /// <summary>Runs the CLI to its end: exit code, stdout, stderr.</summary>
    public async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var cli = Start(args);
        var code = await cli.ExitAsync();
        return (code, cli.Stdout, cli.Stderr);
    }

    public async ValueTask DisposeAsync()
    {
        Server?.Dispose();
        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }

        Data.Dispose();
        Work.Dispose();
    }
}
