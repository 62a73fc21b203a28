using System.Net.Http.Json;
using System.Text.Json;

namespace Skein.Server.Tests.Manifests;

/// <summary>A manifest written in Phrony's format keeps its safety meaning when Skein applies it.</summary>
public sealed class PhronyManifestTests(ApiServers servers) : ApiTests(servers)
{
    private static string Manifest(string agent) =>
        $$"""
            kind: phrony.manifest
            version: 1
            llmProviders:
              - name: scripted
                type: scripted
            agents:
              - manifestKey: a
                name: {{agent}}
                executionMode: request
                llmProviderName: scripted
            versions:
              - agentManifestKey: a
                status: deployed
                versionLabel: v1
                llmModel: skein-scripted
                allowedOperations:
                  - serviceName: built_in
                    operationName: skein_echo
                anomalyControl: true
                rules:
                  - id: large-amounts
                    when:
                      tool_name_in: [skein_echo]
                      arg_gt: { path: amount, value: 1000 }
                    then: block
                    reason: amounts over 1000 need a human
            """;

    [StoreFact]
    public async Task Anomaly_control_rules_of_a_phrony_manifest_block_the_tool_they_name()
    {
        var name = "phrony-guarded-" + Guid.NewGuid().ToString("N")[..8];
        var applied = await ManifestClient.ApplyAsync(Admin, Manifest(name));
        var body = await applied.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(applied.IsSuccessStatusCode, body.ToString());
        Assert.Empty(body.GetProperty("warnings").EnumerateArray());
        var agentId = await ManifestClient.AgentIdAsync(Admin, name) ?? throw new InvalidOperationException(name);

        var blocked = await ToolResultAsync(agentId, amount: 5000);
        var allowed = await ToolResultAsync(agentId, amount: 20);

        Assert.False(blocked.GetProperty("successful").GetBoolean());
        Assert.Contains("amounts over 1000 need a human", blocked.GetProperty("error").GetString());
        Assert.True(allowed.GetProperty("successful").GetBoolean(), allowed.ToString());
    }

    [StoreFact]
    public async Task A_phrony_rule_skein_cannot_enforce_alike_refuses_the_apply_at_its_line()
    {
        var name = "phrony-refused-" + Guid.NewGuid().ToString("N")[..8];
        var yaml = Manifest(name)
            .Replace(
                "arg_gt: { path: amount, value: 1000 }",
                "call_count_in_window_gt: { tool: skein_echo, value: 3, windowSeconds: 60 }"
            );

        var applied = await ManifestClient.ApplyAsync(Admin, yaml);

        var body = await applied.Content.ReadAsStringAsync(Ct);
        Assert.False(applied.IsSuccessStatusCode, body);
        Assert.Contains("versions[0].rules[0].when.call_count_in_window_gt", body);
        Assert.Contains("(line 24)", body);
        Assert.Null(await ManifestClient.AgentIdAsync(Admin, name));
    }

    private async Task<JsonElement> ToolResultAsync(Guid agentId, int amount)
    {
        var sessionId = await ManifestClient.StartAsync(
            Admin,
            agentId,
            new { tool = "skein_echo", arguments = new { amount } }
        );
        var detail = await ManifestClient.WaitForSessionAsync(Admin, sessionId, "Completed");
        Assert.Equal("Completed", detail.GetProperty("session").GetProperty("status").GetString());
        return detail
            .GetProperty("steps")
            .EnumerateArray()
            .Single(s => s.GetProperty("type").GetString() == "ToolResult")
            .GetProperty("content")
            .GetProperty("result");
    }
}
