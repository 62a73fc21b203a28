using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Store.Agents;
using Skein.Testing;

namespace Skein.Engine.Tests.Runs;

public class StartValidationTests : EngineTestBase
{
    private const string NameSchema =
        """{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}""";

    private async Task<int> SessionCountAsync()
    {
        await using var db = await Host.Contexts.CreateDbContextAsync();
        return await db.Sessions.CountAsync();
    }

    [Fact]
    public async Task Input_that_breaks_the_input_schema_is_refused_and_creates_no_session()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec { InputSchema = NameSchema, Script = [Says("hi")] });

        var error = await Assert.ThrowsAsync<DomainException>(() =>
            Host.StartRunAsync(agent.AgentId, new { name = 42 })
        );

        Assert.Equal(DomainErrorCodes.InvalidInput, error.Error.Code);
        Assert.Contains("name", error.Error.Message);
        Assert.Equal(0, await SessionCountAsync());
    }

    [Fact]
    public async Task Input_that_matches_the_schema_starts_a_session()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec { InputSchema = NameSchema, Script = [Says("hi")] });
        var started = await Host.StartRunAsync(agent.AgentId, new { name = "Ann" });
        var detail = await Host.WaitForStatusAsync(started.SessionId, "Completed");
        Assert.Contains("Ann", detail.Session.Input);
    }

    [Fact]
    public async Task An_unknown_agent_is_not_found()
    {
        var error = await Assert.ThrowsAsync<DomainException>(() => Host.StartRunAsync(Guid.NewGuid()));
        Assert.Equal(DomainErrorCodes.NotFound, error.Error.Code);
    }

    [Fact]
    public async Task An_agent_without_a_deployed_version_cannot_be_started_but_its_version_can_be_test_run()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec { State = VersionState.Testing, Script = [Says("hi")] });

        var error = await Assert.ThrowsAsync<DomainException>(() => Host.StartRunAsync(agent.AgentId));
        Assert.Equal(AgentCatalog.NoDeployedVersion, error.Error.Code);
        Assert.Equal(0, await SessionCountAsync());

        var started = await Host.StartRunAsync(agent.AgentId, versionId: agent.VersionId);
        await Host.WaitForStatusAsync(started.SessionId, "Completed");
    }

    [Fact]
    public async Task A_sub_agent_cannot_be_started_directly()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec { Mode = ExecutionMode.SubAgent, Script = [Says("hi")] });

        var error = await Assert.ThrowsAsync<DomainException>(() => Host.StartRunAsync(agent.AgentId));

        Assert.Equal(SubAgentRules.NotStartable, error.Error.Code);
        Assert.Contains("SubAgent", error.Error.Message);
        Assert.Equal(0, await SessionCountAsync());
    }

    [Fact]
    public async Task A_model_provider_error_fails_the_run_with_a_readable_error()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Script = [new ScriptTurn { Error = "upstream exploded" }] }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Failed", detail.Session.Status);
        Assert.Equal("model provider error: upstream exploded", detail.Session.Error);
    }
}
