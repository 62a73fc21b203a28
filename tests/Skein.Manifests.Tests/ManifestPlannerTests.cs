using Skein.Manifests.Export;
using Skein.Manifests.Planning;

namespace Skein.Manifests.Tests;

public sealed class ManifestPlannerTests
{
    private static readonly DateTime Now = new(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task On_an_empty_workspace_everything_is_created()
    {
        var parsed = await ManifestText.ParseAsync(
            ManifestText.Sample("request-agent.yaml"),
            ManifestText.Sample("request-agent.values.yaml")
        );

        var plan = ManifestPlanner.Plan(parsed.Document!, new WorkspaceState(), parsed.Lines);

        Assert.True(plan.IsValid, string.Join("\n", plan.Problems));
        Assert.Equal(
            [
                "llmProvider scripted",
                "service orders",
                "operation orders/lookup_order",
                "agent order-status",
                "version order-status/v1",
                "trigger order-status/api",
            ],
            plan.Changes.Select(c => $"{c.Resource} {c.Key}")
        );
        Assert.All(plan.Changes, c => Assert.Equal(ChangeAction.Create, c.Action));
        Assert.True(Assert.Single(plan.Versions).Deploy);
    }

    [Fact]
    public async Task Planning_the_same_file_against_its_result_changes_nothing()
    {
        var parsed = await ManifestText.ParseAsync(
            ManifestText.Sample("hitl-agent.yaml"),
            ManifestText.Sample("hitl-agent.values.yaml")
        );
        var applied = ManifestText.After(
            new WorkspaceState(),
            ManifestPlanner.Plan(parsed.Document!, new WorkspaceState(), parsed.Lines),
            Now
        );

        var again = ManifestPlanner.Plan(parsed.Document!, applied, parsed.Lines);

        Assert.All(again.Changes, c => Assert.Equal(ChangeAction.Unchanged, c.Action));
    }

    [Fact]
    public async Task Changing_a_deployed_version_asks_for_a_new_label_and_a_new_label_deploys()
    {
        var parsed = await ManifestText.ParseAsync(ManifestText.Minimal);
        var applied = ManifestText.After(
            new WorkspaceState(),
            ManifestPlanner.Plan(parsed.Document!, new WorkspaceState(), parsed.Lines),
            Now
        );

        var edited = await ManifestText.ParseAsync(
            ManifestText.Minimal.Replace("temperature: 0.5", "temperature: 0.9")
        );
        var refused = ManifestPlanner.Plan(edited.Document!, applied, edited.Lines);
        var relabelled = await ManifestText.ParseAsync(
            ManifestText
                .Minimal.Replace("temperature: 0.5", "temperature: 0.9")
                .Replace("versionLabel: v1", "versionLabel: v2")
        );
        var next = ManifestPlanner.Plan(relabelled.Document!, applied, relabelled.Lines);

        var problem = Assert.Single(refused.Problems);
        Assert.Equal("versions[0]", problem.Path);
        Assert.Equal(12, problem.Line);
        Assert.Contains("read-only", problem.Message);
        var version = Assert.Single(next.Versions);
        Assert.Equal((ChangeAction.Create, true), (version.Action, version.Deploy));
    }

    [Fact]
    public async Task An_agent_whose_provider_exists_nowhere_is_a_problem_with_its_line()
    {
        var parsed = await ManifestText.ParseAsync(
            ManifestText.Minimal.Replace("llmProviderName: scripted", "llmProviderName: missing")
        );

        var plan = ManifestPlanner.Plan(parsed.Document!, new WorkspaceState(), parsed.Lines);

        Assert.Equal(
            "agents[0].llmProviderName: no LLM provider 'missing' in this manifest or the workspace (line 10)",
            Assert.Single(plan.Problems).ToString()
        );
    }

    [Fact]
    public async Task Secrets_are_planned_as_writes_and_never_as_changes()
    {
        var yaml =
            ManifestText.Minimal.Replace("kind: phrony.manifest", "kind: phrony.manifest\ninputs:\n  - key: hook\n")
            + "\n  - agentManifestKey: a\n    name: hook\n    type: event\n    signingSecret: \"{{inputs.hook}}\"\n   "
            + " inputPath: payload\n";
        var parsed = await ManifestText.ParseAsync(yaml, "hook: s3cret\n");

        var plan = ManifestPlanner.Plan(parsed.Document!, new WorkspaceState(), parsed.Lines);

        Assert.True(plan.IsValid, string.Join("\n", plan.Problems));
        Assert.Equal(new SecretWrite("trigger-helper-hook-signing-secret", "s3cret"), Assert.Single(plan.Secrets));
        Assert.Equal(
            """{"signing_secret_name":"trigger-helper-hook-signing-secret","input_path":"payload"}""",
            plan.Triggers.Single(t => t.Spec.Name == "hook").Spec.Settings
        );
        Assert.DoesNotContain(plan.Changes, c => c.Key.Contains("s3cret"));
    }

    [Theory]
    [InlineData("request-agent.yaml", "request-agent.values.yaml", "order-status")]
    [InlineData("hitl-agent.yaml", "hitl-agent.values.yaml", "refunds")]
    public async Task An_export_plans_as_unchanged_against_the_workspace_it_came_from(
        string manifest,
        string values,
        string agent
    )
    {
        var parsed = await ManifestText.ParseAsync(ManifestText.Sample(manifest), ManifestText.Sample(values));
        var applied = ManifestText.After(
            new WorkspaceState(),
            ManifestPlanner.Plan(parsed.Document!, new WorkspaceState(), parsed.Lines),
            Now
        );

        var exported = ManifestExporter.Export(applied, agent);
        var reparsed = await ManifestText.ParseAsync(exported);
        var plan = ManifestPlanner.Plan(reparsed.Document!, applied, reparsed.Lines);

        Assert.True(reparsed.IsValid, string.Join("\n", reparsed.Errors) + "\n" + exported);
        Assert.Empty(reparsed.Warnings);
        Assert.All(plan.Changes, c => Assert.Equal(ChangeAction.Unchanged, c.Action));
    }

    [Fact]
    public async Task An_export_declares_an_input_for_each_secret_and_contains_no_secret()
    {
        var yaml =
            ManifestText.Minimal.Replace("kind: phrony.manifest", "kind: phrony.manifest\ninputs:\n  - key: hook\n")
            + "\n  - agentManifestKey: a\n    name: hook\n    type: event\n    signingSecret: \"{{inputs.hook}}\"\n";
        var parsed = await ManifestText.ParseAsync(yaml, "hook: s3cret\n");
        var applied = ManifestText.After(
            new WorkspaceState(),
            ManifestPlanner.Plan(parsed.Document!, new WorkspaceState(), parsed.Lines),
            Now
        );

        var exported = ManifestExporter.Export(applied, "helper");

        Assert.DoesNotContain("s3cret", exported);
        Assert.Contains("signingSecret: '{{inputs.helper_hook_signing_secret}}'", exported);
        Assert.Contains("key: helper_hook_signing_secret", exported);
    }
}
