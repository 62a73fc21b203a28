using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Skein.Server.Tests.Manifests;

/// <summary>A version's <c>midRunMessages</c> (SPEC section 12) through manifest apply and export.</summary>
public sealed class MidRunMessagesManifestTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task A_manifest_sets_the_policy_and_the_export_carries_it_back()
    {
        var yaml = WithPolicy(ManifestClient.Minimal("interrupting-agent"), "interrupt");

        var applied = await ManifestClient.ApplyAsync(Admin, yaml);
        Assert.True(applied.IsSuccessStatusCode, await applied.Content.ReadAsStringAsync(Ct));
        var agentId = (await ManifestClient.AgentIdAsync(Admin, "interrupting-agent"))!.Value;
        var versions = await Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/versions", Ct);
        var export = await ManifestClient.ExportAsync(Admin, agentId);
        var again = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, yaml));

        var version = Assert.Single(versions.GetProperty("items").EnumerateArray());
        Assert.Equal("interrupt", version.GetProperty("midRunMessages").GetString());
        Assert.Contains("midRunMessages: interrupt", export);
        Assert.All(again, c => Assert.Equal("unchanged", c.Action));
    }

    [StoreFact]
    public async Task An_unknown_policy_is_refused()
    {
        var response = await ManifestClient.ApplyAsync(
            Admin,
            WithPolicy(ManifestClient.Minimal("confused-agent"), "sometimes")
        );

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("midRunMessages", await response.Content.ReadAsStringAsync(Ct));
        Assert.Null(await ManifestClient.AgentIdAsync(Admin, "confused-agent"));
    }

    private static string WithPolicy(string yaml, string policy) =>
        yaml.Replace("    llmModel: skein-scripted\n", $"    llmModel: skein-scripted\n    midRunMessages: {policy}\n");
}
