using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Store;
using Skein.Store.Agents;
using Skein.Store.EventLog;
using Skein.Store.Leases;
using Skein.Store.Postgres;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Engine.Tests.Leases;

/// <summary>
/// Leases and fencing on PostgreSQL, with two lease owners standing in for two nodes on one database (no engine
/// host runs, so nothing else claims the run).
/// </summary>
public sealed class RunLeaseTests : IAsyncLifetime
{
    // Long enough that the checks made right after a claim see it live, even on a busy machine.
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    private TestStore _store = null!;
    private ServiceProvider _services = null!;

    private IDbContextFactory<SkeinDbContext> Contexts =>
        _services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();

    public async ValueTask InitializeAsync()
    {
        _store = await TestStore.CreateAsync(StoreKind.Postgres, TestContext.Current.CancellationToken);
        _services = _store.AddTo(new ServiceCollection().AddLogging()).BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _store.DisposeAsync();
    }

    private PostgresRunLeases Node() =>
        new(Contexts, new NodeIdentity(), Options.Create(new RunLeaseOptions { Duration = Lease }));

    private async Task<SessionState> StartRunningSessionAsync()
    {
        var agent = await TestData.CreateAgentAsync(Contexts, new AgentSpec(), CancellationToken.None);
        var resolved = await _services
            .GetRequiredService<AgentCatalog>()
            .ResolveAsync(agent.AgentId, null, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
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
                now
            )
        );
        await _services.GetRequiredService<EventLogWriter>().AppendAsync(start, CancellationToken.None);
        return start.Current;
    }

    private static SessionChange Step(SessionState state, int iteration)
    {
        var change = new SessionChange(state);
        SessionDecider.AppendStep(
            change,
            state.RootRunId,
            new StepDraft(new LlmRequestPrepared("skein-scripted") { Iteration = iteration }),
            DateTimeOffset.UtcNow,
            "engine"
        );
        Assert.False(change.Rejected);
        return change;
    }

    [Fact]
    public async Task A_node_whose_lease_another_node_claimed_cannot_commit_and_the_new_owner_can()
    {
        var state = await StartRunningSessionAsync();
        var (a, b) = (Node(), Node());
        var leaseA = await a.TryClaimAsync(state.Id, state.RootRunId, CancellationToken.None);
        Assert.NotNull(leaseA);
        Assert.Null(await b.TryClaimAsync(state.Id, state.RootRunId, CancellationToken.None));

        // A stops renewing (it is stalled or dead): once its lease expires, B claims the run with a higher version.
        var leaseB = await Eventually.Get(
            () => b.TryClaimAsync(state.Id, state.RootRunId, CancellationToken.None),
            l => l is not null,
            what: "B to claim the expired lease"
        );
        Assert.True(leaseB!.Version > leaseA.Version);

        var writer = _services.GetRequiredService<EventLogWriter>();
        await Assert.ThrowsAsync<LeaseLostException>(() =>
            writer.AppendAsync(Step(state, 1), leaseA, CancellationToken.None)
        );
        var reader = new EventLogReader(Contexts);
        Assert.Equal(state.Version, (await reader.LoadAsync(state.Id, CancellationToken.None))!.Version);

        await writer.AppendAsync(Step(state, 1), leaseB, CancellationToken.None);
        Assert.Equal(state.Version + 1, (await reader.LoadAsync(state.Id, CancellationToken.None))!.Version);
    }

    [Fact]
    public async Task A_running_run_whose_lease_expired_is_claimed_as_an_orphan_exactly_once()
    {
        var state = await StartRunningSessionAsync();
        var dead = Node();
        Assert.NotNull(await dead.TryClaimAsync(state.Id, state.RootRunId, CancellationToken.None));
        var (b, c) = (Node(), Node());
        Assert.DoesNotContain(await b.ClaimOrphansAsync(100, CancellationToken.None), l => l.RunId == state.RootRunId);

        var claimed = await Eventually.Get(
            () => b.ClaimOrphansAsync(100, CancellationToken.None),
            l => l.Any(x => x.RunId == state.RootRunId),
            what: "the orphan to be claimed"
        );
        Assert.Equal(state.Id, Assert.Single(claimed, l => l.RunId == state.RootRunId).SessionId);
        Assert.DoesNotContain(await c.ClaimOrphansAsync(100, CancellationToken.None), l => l.RunId == state.RootRunId);
    }
}
