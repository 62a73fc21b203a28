using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Engine.Tools;
using Skein.Manifests.Parsing;

namespace Skein.Server.Tests.Manifests;

/// <summary>POST /api/manifests/apply and GET /api/agents/{id}/manifest over real HTTP on a real SQLite
/// store.</summary>
public sealed class ManifestApplyTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task A_dry_run_reports_the_plan_and_writes_nothing()
    {
        var yaml = ManifestClient.Minimal("dry-run-agent");

        var first = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, yaml, dryRun: true));
        var second = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, yaml, dryRun: true));

        Assert.Contains(("agent", "dry-run-agent", "create"), first);
        Assert.Contains(("version", "dry-run-agent/v1", "create"), first);
        Assert.Contains(("trigger", "dry-run-agent/api", "create"), first);
        Assert.Equal(first, second);
        Assert.Null(await ManifestClient.AgentIdAsync(Admin, "dry-run-agent"));
    }

    [StoreFact]
    public async Task Applying_the_same_file_twice_changes_nothing_the_second_time()
    {
        var yaml = ManifestClient.Minimal("twice-agent");

        var first = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, yaml));
        var agentId = await ManifestClient.AgentIdAsync(Admin, "twice-agent");
        var exportBefore = await ManifestClient.ExportAsync(Admin, agentId!.Value);
        var second = await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, yaml));

        Assert.Contains(("agent", "twice-agent", "create"), first);
        Assert.Contains(("llmProvider", "scripted", "unchanged"), first);
        Assert.All(second, c => Assert.Equal("unchanged", c.Action));
        Assert.Equal(6 - 2, second.Count); // provider, agent, version, trigger (no services)
        Assert.Equal(exportBefore, await ManifestClient.ExportAsync(Admin, agentId.Value));
    }

    [StoreFact]
    public async Task A_new_deployed_label_goes_live_and_the_previous_live_version_is_archived()
    {
        await ManifestClient.ChangesAsync(await ManifestClient.ApplyAsync(Admin, ManifestClient.Minimal("line-agent")));
        var changes = await ManifestClient.ChangesAsync(
            await ManifestClient.ApplyAsync(Admin, ManifestClient.Minimal("line-agent", "v2", 0.9))
        );
        var agentId = (await ManifestClient.AgentIdAsync(Admin, "line-agent"))!.Value;

        var versions = (
            await Admin.GetFromJsonAsync<JsonElement>(
                $"/api/agents/{agentId}/versions",
                TestContext.Current.CancellationToken
            )
        )
            .GetProperty("items")
            .EnumerateArray()
            .ToDictionary(v => v.GetProperty("label").GetString()!, v => v.GetProperty("state").GetString());

        Assert.Contains(("version", "line-agent/v2", "create"), changes);
        Assert.Equal("Deployed", versions["v2"]);
        Assert.Equal("Archived", versions["v1"]);
    }

    [StoreFact]
    public async Task Changing_a_deployed_version_in_place_is_a_400_naming_path_and_line()
    {
        await ManifestClient.ChangesAsync(
            await ManifestClient.ApplyAsync(Admin, ManifestClient.Minimal("readonly-agent"))
        );

        var response = await ManifestClient.ApplyAsync(Admin, ManifestClient.Minimal("readonly-agent", "v1", 0.9));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("versions[0]", error.GetProperty("path").GetString());
        Assert.Equal(12, error.GetProperty("line").GetInt32());
        Assert.Contains("read-only", error.GetProperty("message").GetString());
    }

    [StoreFact]
    public async Task A_validation_error_is_a_problem_listing_path_line_and_message_with_warnings()
    {
        var yaml = ManifestClient
            .Minimal("invalid-agent")
            .Replace("temperature: 0.5", "temperature: 7\n    flavour: spicy");

        var response = await ManifestClient.ApplyAsync(Admin, yaml);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(
            "versions[0].temperature: must be between 0 and 2 (line 16)",
            problem.GetProperty("detail").GetString()
        );
        Assert.Equal(
            "versions[0].flavour",
            Assert.Single(problem.GetProperty("warnings").EnumerateArray()).GetProperty("path").GetString()
        );
        Assert.Null(await ManifestClient.AgentIdAsync(Admin, "invalid-agent"));
    }

    [StoreFact]
    public async Task An_empty_body_or_broken_yaml_is_a_400_not_a_500()
    {
        var empty = await ManifestClient.ApplyAsync(Admin, "");
        var broken = await ManifestClient.ApplyAsync(Admin, "kind: [");

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Contains(
            "not valid YAML",
            await broken.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)
        );
    }

    [StoreFact]
    public async Task Values_can_come_in_the_query_string()
    {
        var yaml =
            "inputs:\n  - key: model\n"
            + ManifestClient
                .Minimal("query-values-agent")
                .Replace("llmModel: skein-scripted", "llmModel: \"{{inputs.model}}\"");
        var content = new StringContent(yaml, System.Text.Encoding.UTF8, "application/yaml");

        var response = await Admin.PostAsync(
            $"/api/manifests/apply?dryRun=false&values={Uri.EscapeDataString("model: from-query")}",
            content,
            TestContext.Current.CancellationToken
        );
        var changes = await ManifestClient.ChangesAsync(response);
        var agentId = (await ManifestClient.AgentIdAsync(Admin, "query-values-agent"))!.Value;

        Assert.Contains(("version", "query-values-agent/v1", "create"), changes);
        Assert.Contains("llmModel: from-query", await ManifestClient.ExportAsync(Admin, agentId));
    }

    [StoreFact]
    public async Task Exporting_an_unknown_agent_is_a_404()
    {
        var response = await Admin.GetAsync(
            $"/api/agents/{Guid.NewGuid()}/manifest",
            TestContext.Current.CancellationToken
        );

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [StoreFact]
    public async Task The_manifest_routes_need_the_admin_token_and_are_in_the_openapi_document()
    {
        var anonymous = Server.CreateClient();
        var unauthorized = await anonymous.PostAsync(
            "/api/manifests/apply",
            new StringContent("kind: x", System.Text.Encoding.UTF8, "application/yaml"),
            TestContext.Current.CancellationToken
        );
        var openApi = await anonymous.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Contains("/api/manifests/apply", openApi);
        Assert.Contains("/api/agents/{agentId}/manifest", openApi);
        Assert.Contains("/api/runs/{runId}/stream", openApi);
    }

    [StoreFact]
    public void Every_built_in_tool_a_manifest_may_name_is_in_the_engine_catalog()
    {
        Assert.All(BuiltInTools.Names, name => Assert.True(ToolCatalog.IsBuiltIn(name), name));
        Assert.Contains(PhronyWaitTool.ToolName, BuiltInTools.Names);
        Assert.Contains(EchoTool.ToolName, BuiltInTools.Names);
        Assert.Contains(DemoRefundTool.ToolName, BuiltInTools.Names);
    }
}
