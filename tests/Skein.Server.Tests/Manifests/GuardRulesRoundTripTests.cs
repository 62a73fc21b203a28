using System.Net.Http.Json;
using System.Text.Json;

namespace Skein.Server.Tests.Manifests;

/// <summary>
/// Guard rules survive manifest round trips with the same safety meaning (SPEC sections 5 and 7, issue #18): a
/// Phrony-format file's <c>anomalyControl</c>/<c>rules</c> apply as guard rules, the export writes them as Skein's
/// <c>guardRules</c>, and that export applied again (as a new agent, or over the same one) gives identical rules; a
/// Skein-format file's <c>guardRules</c> round-trip identically too.
/// </summary>
public sealed class GuardRulesRoundTripTests(ApiServers servers) : ApiTests(servers)
{
    private const string Header = """
        kind: phrony.manifest
        version: 1
        llmProviders:
          - name: scripted
            type: scripted
        agents:
          - manifestKey: {{NAME}}
            name: {{NAME}}
            executionMode: request
            llmProviderName: scripted
        versions:
          - agentManifestKey: {{NAME}}
            status: deployed
            versionLabel: v1
            llmModel: skein-scripted
            allowedOperations:
              - serviceName: built_in
                operationName: skein_echo

        """;

    private const string PhronyRules = """
            anomalyControl: true
            rules:
              - id: large-amounts
                when:
                  tool_name_in: [skein_echo]
                  arg_gt: { path: amount, value: 1000 }
                then: block
                reason: amounts over 1000 need a human
              - id: odd-codes
                when:
                  any_of:
                    - arg_regex: { path: $.code, pattern: "^X[0-9]+$" }
                    - not: { arg_missing: { path: "items[0].override" } }
                then: terminate_session
                reason: "suspicious: code or override"
              - id: too-many
                when:
                  call_count_in_run_gt: { tool: skein_echo, value: 3 }
                then: block
                reason: at most three echoes per run
              - id: inert
                when: {}
                then: allow
                reason: ""

        """;

    private const string SkeinRules = """
            guardRules:
              - id: big
                when:
                  tool: skein_*
                  arguments:
                    - { path: amount, op: gte, value: 2.5 }
                    - { path: currency, op: in, value: [EUR, "USD"] }
                    - { path: note, op: matches, value: "#[a-z]+: \\d" }
                  session_calls_at_least: 2
                then: terminate_session
                reason: "big: and repeated"
              - id: any-tool
                when: { tool: "*", arguments: [ { path: dry_run, op: eq, value: true } ] }
                then: allow
                reason: dry runs are fine

        """;

    [StoreFact]
    public async Task Phrony_rules_export_as_guard_rules_that_apply_again_to_the_same_rules()
    {
        var first = Name("phrony-rt");
        var original = await ApplyAsync(Manifest(first, PhronyRules), first);
        Assert.Equal(5, original.GetArrayLength());

        var export = await ManifestClient.ExportAsync(Admin, (await ManifestClient.AgentIdAsync(Admin, first))!.Value);
        Assert.Contains("guardRules:", export);
        Assert.DoesNotContain("anomalyControl", export);
        Assert.DoesNotContain("\n    rules:", export);

        // The export, applied as another agent, gives the same rules; applied over the same agent, changes nothing.
        var second = Name("phrony-rt2");
        var copied = await ApplyAsync(export.Replace(first, second), second);
        Assert.Equal(original.GetRawText(), copied.GetRawText());
        var again = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, export));
        Assert.All(again, c => Assert.Equal("unchanged", c.Action));

        // And the copy enforces them: the rule on amounts blocks the tool it names.
        var copyId = (await ManifestClient.AgentIdAsync(Admin, second))!.Value;
        var blocked = await ToolResultAsync(copyId, new { amount = 5000 });
        Assert.False(blocked.GetProperty("successful").GetBoolean());
        Assert.Contains("amounts over 1000 need a human", blocked.GetProperty("error").GetString());
        var allowed = await ToolResultAsync(copyId, new { amount = 20 });
        Assert.True(allowed.GetProperty("successful").GetBoolean(), allowed.ToString());
    }

    [StoreFact]
    public async Task Skein_guard_rules_export_and_apply_again_identically()
    {
        var first = Name("skein-rt");
        var original = await ApplyAsync(Manifest(first, SkeinRules), first);
        Assert.Equal(2, original.GetArrayLength());
        Assert.Equal("skein_*", original[0].GetProperty("when").GetProperty("tool").GetString());
        Assert.Equal("*", original[1].GetProperty("when").GetProperty("tool").GetString());

        var export = await ManifestClient.ExportAsync(Admin, (await ManifestClient.AgentIdAsync(Admin, first))!.Value);
        var second = Name("skein-rt2");
        var copied = await ApplyAsync(export.Replace(first, second), second);

        Assert.Equal(original.GetRawText(), copied.GetRawText());
        var secondExport = await ManifestClient.ExportAsync(
            Admin,
            (await ManifestClient.AgentIdAsync(Admin, second))!.Value
        );
        Assert.Equal(GuardSection(export), GuardSection(secondExport));
        var again = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, export));
        Assert.All(again, c => Assert.Equal("unchanged", c.Action));
    }

    private static string Name(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string Manifest(string name, string rules) => Header.Replace("{{NAME}}", name) + rules;

    /// <summary>The export's lines from <c>guardRules:</c> up to the next key of the version.</summary>
    private static string GuardSection(string yaml)
    {
        var lines = yaml.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimStart().StartsWith("guardRules:", StringComparison.Ordinal));
        Assert.True(start >= 0, yaml);
        var indent = lines[start].Length - lines[start].TrimStart().Length;
        var end = Array.FindIndex(lines, start + 1, l =>
            l.Trim().Length > 0 && l.Length - l.TrimStart().Length <= indent && !l.TrimStart().StartsWith('-')
        );
        return string.Join('\n', lines[start..(end < 0 ? lines.Length : end)]);
    }

    /// <summary>Applies <paramref name="yaml"/> and returns the stored guard rules of the agent's version.</summary>
    private async Task<JsonElement> ApplyAsync(string yaml, string agent)
    {
        var applied = await ManifestClient.ApplyAsync(Admin, yaml);
        var body = await applied.Content.ReadAsStringAsync(Ct);
        Assert.True(applied.IsSuccessStatusCode, body + "\n" + yaml);
        var agentId = await ManifestClient.AgentIdAsync(Admin, agent) ?? throw new InvalidOperationException(agent);
        var versions = await Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/versions", Ct);
        return Assert.Single(versions.GetProperty("items").EnumerateArray()).GetProperty("guardRules").Clone();
    }

    private async Task<JsonElement> ToolResultAsync(Guid agentId, object arguments)
    {
        var sessionId = await ManifestClient.StartAsync(Admin, agentId, new { tool = "skein_echo", arguments });
        var detail = await ManifestClient.WaitForSessionAsync(Admin, sessionId, "Completed");
        return detail
            .GetProperty("steps")
            .EnumerateArray()
            .Single(s => s.GetProperty("type").GetString() == "ToolResult")
            .GetProperty("content")
            .GetProperty("result");
    }
}
