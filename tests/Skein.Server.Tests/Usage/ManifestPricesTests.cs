using System.Net.Http.Json;
using System.Text.Json;
using Skein.Server.Tests.Manifests;

namespace Skein.Server.Tests.Usage;

/// <summary>A manifest's <c>llmProviders[].prices</c> apply to the provider, export back, and re-apply as
/// unchanged.</summary>
public sealed class ManifestPricesTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task Provider_prices_apply_from_a_manifest_and_export_back()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var yaml = $"""
            kind: phrony.manifest
            version: 1
            llmProviders:
              - name: priced-{suffix}
                type: openai
                baseUrl: http://127.0.0.1:9/v1
                prices:
                  gpt-priced:
                    inputPerMTok: 0.15
                    outputPerMTok: 0.6
                    cachedInputPerMTok: 0.075
            agents:
              - manifestKey: a
                name: priced-agent-{suffix}
                executionMode: request
                llmProviderName: priced-{suffix}
            versions:
              - agentManifestKey: a
                status: deployed
                versionLabel: v1
                llmModel: gpt-priced
            """;

        var first = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, yaml));
        var second = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, yaml));

        Assert.Contains(("llmProvider", $"priced-{suffix}", "create"), first);
        Assert.Contains(("llmProvider", $"priced-{suffix}", "unchanged"), second);
        var providers = await Admin.GetFromJsonAsync<JsonElement>("/api/providers", Ct);
        var provider = providers
            .GetProperty("items")
            .EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == $"priced-{suffix}");
        var price = provider.GetProperty("prices").GetProperty("gpt-priced");
        Assert.Equal(0.15m, price.GetProperty("inputPerMTok").GetDecimal());
        Assert.Equal(0.6m, price.GetProperty("outputPerMTok").GetDecimal());
        Assert.Equal(0.075m, price.GetProperty("cachedInputPerMTok").GetDecimal());

        var agentId = (await ManifestClient.AgentIdAsync(Admin, $"priced-agent-{suffix}"))!.Value;
        var export = await ManifestClient.ExportAsync(Admin, agentId);
        Assert.Contains("prices:", export);
        Assert.Contains("gpt-priced:", export);
        Assert.Contains("cachedInputPerMTok: 0.075", export);
    }
}
