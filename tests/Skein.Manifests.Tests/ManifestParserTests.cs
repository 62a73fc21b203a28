using Skein.Manifests.Parsing;

namespace Skein.Manifests.Tests;

public sealed class ManifestParserTests
{
    [Fact]
    public async Task A_valid_manifest_parses_without_errors_or_warnings()
    {
        var result = await ManifestText.ParseAsync(ManifestText.Minimal);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
        Assert.Equal("helper", Assert.Single(result.Document!.Agents).Name);
        Assert.Equal(0.5, Assert.Single(result.Document.Versions).Temperature);
    }

    [Fact]
    public async Task An_out_of_range_value_is_reported_with_its_path_and_line()
    {
        var result = await ManifestText.ParseAsync(ManifestText.Minimal.Replace("temperature: 0.5", "temperature: 3"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("versions[0].temperature: must be between 0 and 2 (line 16)", error.ToString());
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_reported_with_its_path_and_line()
    {
        var result = await ManifestText.ParseAsync(
            ManifestText.Minimal.Replace("temperature: 0.5", "temperature: 0.5\n    maxIterations: lots")
        );

        var error = Assert.Single(result.Errors);
        Assert.Equal("versions[0].maxIterations", error.Path);
        Assert.Equal(17, error.Line);
        Assert.Contains("integer", error.Message);
    }

    [Fact]
    public async Task A_missing_required_key_is_reported_at_the_line_of_its_parent()
    {
        var result = await ManifestText.ParseAsync(ManifestText.Minimal.Replace("    llmModel: skein-scripted\n", ""));

        var error = Assert.Single(result.Errors);
        Assert.Equal("versions[0].llmModel", error.Path);
        Assert.Equal(12, error.Line);
        Assert.Equal("is required", error.Message);
    }

    [Fact]
    public async Task An_enum_value_outside_the_list_names_the_allowed_values()
    {
        var result = await ManifestText.ParseAsync(
            ManifestText.Minimal.Replace("executionMode: request", "executionMode: batch")
        );

        var error = Assert.Single(result.Errors);
        Assert.Equal("agents[0].executionMode: must be one of request, hitl, sub_agent (line 9)", error.ToString());
    }

    [Fact]
    public async Task Unknown_keys_are_warnings_and_x_keys_are_ignored()
    {
        var yaml = ManifestText.Minimal.Replace(
            "    temperature: 0.5",
            "    temperature: 0.5\n    colour: blue\n    x-team: payments"
        );

        var result = await ManifestText.ParseAsync(yaml);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("versions[0].colour: unknown key, ignored (line 17)", warning.ToString());
    }

    [Fact]
    public async Task Broken_yaml_is_reported_with_its_line()
    {
        var result = await ManifestText.ParseAsync("kind: phrony.manifest\nversion: 1\nagents:\n  - name: [unclosed\n");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("not valid YAML", error.Message);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public async Task Placeholders_take_their_values_with_the_values_type()
    {
        var yaml = """
            kind: phrony.manifest
            version: 1
            inputs:
              - key: model
              - key: temp
            llmProviders:
              - { name: scripted, type: scripted }
            agents:
              - { manifestKey: a, name: "agent-{{inputs.model}}", executionMode: request, llmProviderName: scripted }
            versions:
              - { agentManifestKey: a, versionLabel: v1, llmModel: "{{inputs.model}}", temperature: "{{inputs.temp}}" }
            """;

        var result = await ManifestText.ParseAsync(yaml, "model: gpt-x\ntemp: 1.5\n");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("agent-gpt-x", result.Document!.Agents[0].Name);
        Assert.Equal("gpt-x", result.Document.Versions[0].LlmModel);
        Assert.Equal(1.5, result.Document.Versions[0].Temperature);
    }

    [Fact]
    public async Task A_placeholder_without_a_value_or_declaration_is_an_error_at_its_line()
    {
        var yaml = ManifestText.Minimal.Replace("llmModel: skein-scripted", "llmModel: \"{{inputs.model}}\"");

        var undeclared = await ManifestText.ParseAsync(yaml, "model: m\n");
        var missing = await ManifestText.ParseAsync("inputs:\n  - key: model\n" + yaml);

        Assert.Equal(
            "versions[0].llmModel: {{inputs.model}} is not declared under inputs (line 15)",
            Assert.Single(undeclared.Errors).ToString()
        );
        Assert.Equal(
            "versions[0].llmModel: no value for {{inputs.model}}: give it in the values file (line 17)",
            Assert.Single(missing.Errors).ToString()
        );
    }

    [Fact]
    public async Task A_value_of_the_wrong_declared_type_is_an_error()
    {
        var yaml =
            "inputs:\n  - { key: temp, type: number }\n"
            + ManifestText.Minimal.Replace("temperature: 0.5", "temperature: \"{{inputs.temp}}\"");

        var result = await ManifestText.ParseAsync(yaml, "temp: warm\n");

        Assert.Equal(
            "versions[0].temperature: the value of {{inputs.temp}} must be a number (line 18)",
            Assert.Single(result.Errors).ToString()
        );
    }

    [Fact]
    public async Task The_legacy_kind_is_accepted_and_an_unknown_kind_is_not()
    {
        var legacy = await ManifestText.ParseAsync(
            ManifestText.Minimal.Replace("kind: phrony.manifest", "kind: phrony.workspace.manifest")
        );
        var unknown = await ManifestText.ParseAsync(
            ManifestText.Minimal.Replace("kind: phrony.manifest", "kind: k8s.deployment")
        );

        Assert.True(legacy.IsValid, string.Join("\n", legacy.Errors));
        Assert.Equal(
            "kind: must be one of phrony.manifest, phrony.workspace.manifest (line 1)",
            Assert.Single(unknown.Errors).ToString()
        );
    }

    [Fact]
    public async Task References_to_unknown_agents_and_operations_are_errors()
    {
        var yaml = ManifestText
            .Minimal.Replace(
                "    temperature: 0.5",
                "    temperature: 0.5\n    allowedOperations:\n      - { serviceName: built_in, operationName: "
                    + "no_such_tool }"
            )
            .Replace("  - agentManifestKey: a\n    name: api", "  - agentManifestKey: b\n    name: api");

        var result = await ManifestText.ParseAsync(yaml);

        Assert.Equal(
            [
                "versions[0].allowedOperations[0].operationName: 'no_such_tool' is not a built-in tool (line 18)",
                "triggers[0].agentManifestKey: no agent with manifestKey 'b' in this manifest (line 20)",
            ],
            result.Errors.Select(e => e.ToString())
        );
    }

    [Fact]
    public async Task Two_deployed_versions_of_one_agent_are_refused()
    {
        var yaml = ManifestText.Minimal.Replace(
            "triggers:",
            "  - agentManifestKey: a\n    status: deployed\n    versionLabel: v2\n    llmModel: m\ntriggers:"
        );

        var result = await ManifestText.ParseAsync(yaml);

        Assert.Contains(result.Errors, e =>
            e.Path == "versions[1].status" && e.Message.Contains("already has a deployed version")
        );
    }

    [Fact]
    public async Task A_stream_of_documents_is_one_manifest_with_exact_lines()
    {
        var second = """
            ---
            kind: phrony.manifest
            version: 1
            versions:
              - agentManifestKey: a
                versionLabel: v2
                llmModel: skein-scripted
                temperature: 9
            """;

        var result = await ManifestText.ParseAsync(ManifestText.Minimal + "\n" + second);

        Assert.Equal(
            "versions[1].temperature: must be between 0 and 2 (line 28)",
            Assert.Single(result.Errors).ToString()
        );
    }

    [Theory]
    [InlineData("request-agent.yaml", "request-agent.values.yaml")]
    [InlineData("hitl-agent.yaml", "hitl-agent.values.yaml")]
    public async Task The_shipped_samples_are_valid(string manifest, string values)
    {
        var result = await ManifestText.ParseAsync(ManifestText.Sample(manifest), ManifestText.Sample(values));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void The_built_in_service_name_is_reserved()
    {
        Assert.Contains("phrony_wait", BuiltInTools.Names);
    }
}
