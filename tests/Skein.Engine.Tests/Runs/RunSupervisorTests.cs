using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Engine.Sessions;
using Skein.Store;
using Skein.Store.Agents;
using Skein.Store.Leases;
using Skein.Store.Postgres;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Engine.Tests.Runs;

/// <summary>
/// The run supervisor resumes a Running run that nothing drives while the node keeps running (no restart): on SQLite
/// any Running run without a driver here, on PostgreSQL one whose lease expired (its node died).
/// </summary>
public class RunSupervisorTests : EngineTestBase
{
    /// <summary>Commits a started session without dispatching it, as a node that died right after the start would
    /// leave it.</summary>
    private async Task<SessionState> CommitUndrivenStartAsync(Guid agentId)
    {
        var resolved = await Host
            .Services.GetRequiredService<AgentCatalog>()
            .ResolveAsync(agentId, null, CancellationToken.None);
        var start = SessionDecider.Start(
            new StartSession(
                Ids.New(),
                Ids.New(),
                resolved.Agent.TenantId,
                TriggerType.Console,
                "test",
                null,
                null,
                new StartContext(resolved.Snapshot, null),
                DateTimeOffset.UtcNow
            )
        );
        return await Host.Services.GetRequiredService<SessionCommands>().StartAsync(start, CancellationToken.None);
    }

    [Fact]
    public async Task A_running_run_nobody_drives_is_resumed_without_a_restart()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec { Script = [Says("resumed")] });
        var state = await CommitUndrivenStartAsync(agent.AgentId);
        if (StoreKind == StoreKind.Postgres)
        {
            // Another node claimed the run and died: its short lease expires and this node's heartbeat takes over.
            var contexts = Host.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
            var dead = new PostgresRunLeases(
                contexts,
                new NodeIdentity(),
                Options.Create(new RunLeaseOptions { Duration = TimeSpan.FromSeconds(1) })
            );
            Assert.NotNull(await dead.TryClaimAsync(state.Id, state.RootRunId, CancellationToken.None));
        }

        var detail = await Host.WaitForStatusAsync(state.Id, "Completed");
        Assert.Equal("Completed", detail.Session.Status);
    }
}

public sealed class RunSupervisorTestsOnPostgres : RunSupervisorTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}
