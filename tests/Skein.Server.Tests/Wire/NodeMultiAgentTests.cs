using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Skein.Server.Tests.Wire;

/// <summary>
/// A run tree read by a non-.NET client: tests/js/multi-agent.test.mjs starts the seeded <c>demo-team</c> under
/// <c>node --test</c>, follows the root run's stream and reads the conversation by the child's run id.
/// </summary>
public sealed class NodeMultiAgentTests
{
    [StoreFact]
    public async Task A_javascript_client_follows_a_run_tree_and_reads_it_by_the_child_run_id()
    {
        var node = NodeClientTests.FindOnPath("node")
            ?? throw new InvalidOperationException("`node` is not on PATH: this test needs Node.js 18+");
        var script = Path.Combine(NodeClientTests.RepositoryRoot(), "tests", "js", "multi-agent.test.mjs");

        await using var factory = await SkeinApiFactory.FreshAsync();
        factory.UseKestrel(0);
        factory.StartServer();
        var addresses = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("Kestrel exposes no server addresses");

        var (exitCode, output) = await NodeClientTests.RunNodeAsync(
            node,
            script,
            new Dictionary<string, string>
            {
                ["SKEIN_BASE_URL"] = addresses.Addresses.Single(),
                ["SKEIN_API_KEY"] = SkeinApiFactory.DemoApiKey,
            },
            TestContext.Current.CancellationToken
        );

        Assert.True(exitCode == 0, $"node --test exited with {exitCode}:\n{output}");
    }
}
