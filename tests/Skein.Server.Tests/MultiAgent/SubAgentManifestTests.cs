using System.Net;
using Skein.Server.Tests.Manifests;

namespace Skein.Server.Tests.MultiAgent;

/// <summary>Manifests wire sub-agents by <c>manifestKey</c> (SPEC sections 7 and 9): dry-run plan lines, apply
/// through the services, export of the subtree and its round trip.</summary>
public sealed class SubAgentManifestTests(ApiServers servers) : ApiTests(servers)
{
    private static string Team(string suffix, string parentMode = "request", string childMode = "sub_agent") =>
        $"""
            kind: phrony.manifest
            version: 1
            llmProviders:
              - name: scripted
                type: scripted
            agents:
              - manifestKey: team
                name: team-{suffix}
                executionMode: {parentMode}
                llmProviderName: scripted
              - manifestKey: researcher
                name: researcher-{suffix}
                executionMode: {childMode}
                llmProviderName: scripted
            versions:
              - agentManifestKey: researcher
                status: deployed
                versionLabel: v1
                llmModel: skein-scripted
                description: Looks facts up and reports them
              - agentManifestKey: team
                status: deployed
                versionLabel: v1
                llmModel: skein-scripted
                canExecuteSubAgents: true
                subAgentExecutionModel: parallel
                allowedSubAgents: [researcher]
            """;

    [StoreFact]
    public async Task A_dry_run_lists_each_sub_agent_link_and_writes_nothing()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var changes = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, Team(suffix), true));

        Assert.Contains(("subAgent", $"team-{suffix}/v1 -> researcher-{suffix}", "create"), changes);
        Assert.Null(await ManifestClient.AgentIdAsync(Admin, $"team-{suffix}"));
    }

    [StoreFact]
    public async Task Applied_wiring_exports_with_the_sub_agent_and_applies_again_unchanged()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, Team(suffix)));
        var teamId = (await ManifestClient.AgentIdAsync(Admin, $"team-{suffix}"))!.Value;

        var exported = await ManifestClient.ExportAsync(Admin, teamId);

        Assert.Contains($"name: researcher-{suffix}", exported);
        Assert.Contains("executionMode: sub_agent", exported);
        Assert.Contains("canExecuteSubAgents: true", exported);
        Assert.Contains("subAgentExecutionModel: parallel", exported);
        Assert.Contains($"- researcher-{suffix}", exported);
        var again = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, exported));
        Assert.All(again, c => Assert.Equal("unchanged", c.Action));
        Assert.Contains(("subAgent", $"team-{suffix}/v1 -> researcher-{suffix}", "unchanged"), again);
        Assert.Equal(exported, await ManifestClient.ExportAsync(Admin, teamId));
    }

    [StoreFact]
    public async Task Listing_an_agent_that_is_not_a_sub_agent_is_a_problem_of_the_file()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var response = await ManifestClient.ApplyAsync(Admin, Team(suffix, childMode: "request"), dryRun: true);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("versions[1].allowedSubAgents", body);
        Assert.Contains("not SubAgent", body);
    }
}
