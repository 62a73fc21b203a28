using Skein.Core;
using Skein.Core.Agents;
using Skein.Store.Agents;
using Skein.Testing;

namespace Skein.Engine.Tests.Runs;

public class RunStartTests : EngineTestBase
{
    [Fact]
    public async Task Starting_an_unknown_agent_fails_with_not_found()
    {
        var ex = await Assert.ThrowsAsync<DomainException>(() => Host.StartRunAsync(Guid.NewGuid()));

        Assert.Equal(DomainErrorCodes.NotFound, ex.Error.Code);
    }

    [Fact]
    public async Task Starting_an_agent_without_a_deployed_version_fails_with_no_deployed_version()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec { State = VersionState.Testing });

        var ex = await Assert.ThrowsAsync<DomainException>(() => Host.StartRunAsync(agent.AgentId));

        Assert.Equal(AgentCatalog.NoDeployedVersion, ex.Error.Code);
    }

    [Fact]
    public async Task Starting_an_unknown_version_of_an_agent_fails_with_not_found()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec());

        var ex = await Assert.ThrowsAsync<DomainException>(() =>
            Host.StartRunAsync(agent.AgentId, versionId: Guid.NewGuid())
        );

        Assert.Equal(DomainErrorCodes.NotFound, ex.Error.Code);
    }

    [Fact]
    public async Task A_named_testing_version_runs_to_completion()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { State = VersionState.Testing, Script = [new ScriptTurn { Text = "tested" }] }
        );

        var started = await Host.StartRunAsync(agent.AgentId, versionId: agent.VersionId);
        var detail = await Host.WaitForStatusAsync(started.SessionId, "Completed", "Failed", "Terminated");

        Assert.Equal("Completed", detail.Session.Status);
        Assert.Equal(agent.VersionId, started.State.AgentVersionId);
        Assert.Equal("\"tested\"", detail.Session.Output);
    }
}
