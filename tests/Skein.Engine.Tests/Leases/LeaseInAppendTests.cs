using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Runs;
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
/// On PostgreSQL a run's lease is claimed by its driver's first append and given up by the append that parks or
/// finishes the run, in those appends' own transactions, with the same fencing as a separate claim would have.
/// </summary>
public sealed class LeaseInAppendTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private ServiceProvider _services = null!;

    private IDbContextFactory<SkeinDbContext> Contexts =>
        _services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();

    private EventLogWriter Writer => _services.GetRequiredService<EventLogWriter>();

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
        new(Contexts, new NodeIdentity(), Options.Create(new RunLeaseOptions { Duration = TimeSpan.FromSeconds(30) }));

    private async Task<SessionState> StartAsync(PostgresRunLeases? claimant = null)
    {
        var agent = await TestData.CreateAgentAsync(Contexts, new AgentSpec(), CancellationToken.None);
        var resolved = await _services
            .GetRequiredService<AgentCatalog>()
            .ResolveAsync(agent.AgentId, null, CancellationToken.None);
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
        var lease = claimant?.LeaseForNewRun(start.Current.Id, start.Current.RootRunId);
        await Writer.AppendAsync(start, lease, CancellationToken.None);
        return start.Current;
    }

    private static SessionChange Change(SessionState state, Action<SessionChange> decide)
    {
        var change = new SessionChange(state);
        decide(change);
        Assert.False(change.Rejected, change.Error?.Message);
        return change;
    }

    private static SessionChange Step(SessionState state) =>
        Change(state, c =>
            SessionDecider.AppendStep(
                c,
                state.RootRunId,
                new StepDraft(new LlmRequestPrepared("skein-scripted") { Iteration = 1 }),
                DateTimeOffset.UtcNow,
                Actor.Engine.Value
            )
        );

    private async Task<(string Owner, long Version, bool Live)?> LeaseRowAsync(Guid runId)
    {
        await using var db = await Contexts.CreateDbContextAsync(CancellationToken.None);
        var row = await db.RunLeases.AsNoTracking().SingleOrDefaultAsync(l => l.RunId == runId);
        return row is null ? null : (row.Owner, row.LeaseVersion, row.ExpiresAt > DateTime.UtcNow);
    }

    [Fact]
    public async Task The_start_claims_the_lease_and_another_node_then_cannot()
    {
        var (a, b) = (Node(), Node());
        var state = await StartAsync(a);
        var row = await LeaseRowAsync(state.RootRunId);
        Assert.NotNull(row);
        Assert.Equal(1L, row.Value.Version);
        Assert.True(row.Value.Live);
        Assert.Null(await b.TryClaimAsync(state.Id, state.RootRunId, CancellationToken.None));

        // The driver's appends are fenced by the lease the start wrote.
        var lease = new RunLease(state.Id, state.RootRunId, row.Value.Owner, 1);
        await Writer.AppendAsync(Step(state), lease, CancellationToken.None);
    }

    [Fact]
    public async Task A_first_append_whose_run_another_node_claimed_commits_nothing()
    {
        var state = await StartAsync();
        var (a, b) = (Node(), Node());
        Assert.NotNull(await b.TryClaimAsync(state.Id, state.RootRunId, CancellationToken.None));

        await Assert.ThrowsAsync<LeaseLostException>(() =>
            Writer.AppendAsync(Step(state), a.LeaseForNewRun(state.Id, state.RootRunId), CancellationToken.None)
        );
        var stored = await new EventLogReader(Contexts).LoadAsync(state.Id, CancellationToken.None);
        Assert.Equal(state.Version, stored!.Version);
    }

    [Fact]
    public async Task The_append_that_finishes_the_run_deletes_its_lease_and_one_that_parks_it_expires_it()
    {
        var finished = await StartAsync();
        var node = Node();
        var lease = (await node.TryClaimAsync(finished.Id, finished.RootRunId, CancellationToken.None))!;
        await Writer.AppendAsync(
            Change(finished, c => SessionDecider.FailRun(c, finished.RootRunId, "x", DateTimeOffset.UtcNow, "engine")),
            lease,
            CancellationToken.None
        );
        Assert.Null(await LeaseRowAsync(finished.RootRunId));

        var parked = await StartAsync();
        lease = (await node.TryClaimAsync(parked.Id, parked.RootRunId, CancellationToken.None))!;
        var now = DateTimeOffset.UtcNow;
        await Writer.AppendAsync(Change(parked, c => SessionDecider.MoveRun(
                    c,
                    parked.RootRunId,
                    new RunTransition(RunStatus.WaitingForResponse)
                    {
                        Output = JsonSerializer.SerializeToElement("hi"),
                        WakeAt = now.AddHours(1),
                        Reason = "awaiting user message",
                    },
                    now,
                    "engine"
                )), lease, CancellationToken.None);
        Assert.Equal((lease.Owner, lease.Version, false), await LeaseRowAsync(parked.RootRunId));
    }

    [Fact]
    public async Task A_heartbeat_that_waited_behind_the_append_that_parked_a_run_does_not_renew_its_lease()
    {
        // The heartbeat renews every lease this node holds in one statement. Here it starts, then waits on another
        // lease's row while the append that parks the second run commits: when it reaches that row, the parked lease
        // must stay given up (a renewed one would keep the run's due wake-up from every node for a whole lease).
        var node = Node();
        // The statement meets rows in the store's uuid order (by index) or in the order they were written (by scan):
        // the first run comes first both ways.
        var (first, parked) = (await StartAsync(), await StartAsync());
        if (UuidOrder(parked.RootRunId, first.RootRunId) < 0)
        {
            (first, parked) = (parked, first);
        }

        Assert.NotNull(await node.TryClaimAsync(first.Id, first.RootRunId, CancellationToken.None));
        var lease = (await node.TryClaimAsync(parked.Id, parked.RootRunId, CancellationToken.None))!;

        var ct = TestContext.Current.CancellationToken;
        await using var holder = new NpgsqlConnection(_store.ConnectionString);
        await holder.OpenAsync(ct);
        await using var hold = await holder.BeginTransactionAsync(ct);
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM run_leases WHERE run_id = @id FOR UPDATE", holder))
        {
            lockRow.Parameters.AddWithValue("id", first.RootRunId);
            await lockRow.ExecuteScalarAsync(ct);
        }

        var renewal = node.RenewAsync(CancellationToken.None);
        await Eventually.Get(
            async () =>
            {
                await using var probe = new NpgsqlConnection(_store.ConnectionString);
                await probe.OpenAsync(ct);
                await using var waiting = new NpgsqlCommand(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND wait_event_type = 'Lock' AND query LIKE 'UPDATE run_leases%'",
                    probe
                );
                return (long)(await waiting.ExecuteScalarAsync(ct))!;
            },
            n => n == 1,
            what: "the renewal to wait on the first run's lease"
        );

        var now = DateTimeOffset.UtcNow;
        await Writer.AppendAsync(
            Change(parked, c =>
                SessionDecider.MoveRun(
                    c,
                    parked.RootRunId,
                    new RunTransition(RunStatus.WaitingForTimer) { WakeAt = now.AddHours(1), Reason = "wait" },
                    now,
                    "engine"
                )
            ),
            lease,
            CancellationToken.None
        );
        await hold.CommitAsync(ct);
        await renewal;

        Assert.Equal((lease.Owner, lease.Version, false), await LeaseRowAsync(parked.RootRunId));
        Assert.True((await LeaseRowAsync(first.RootRunId))!.Value.Live);
    }

    private static int UuidOrder(Guid a, Guid b) =>
        a.ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(b.ToByteArray(bigEndian: true));

    [Fact]
    public async Task A_finishing_append_under_a_lost_lease_commits_nothing()
    {
        var state = await StartAsync();
        var (a, b) = (Node(), Node());
        var stale = (await a.TryClaimAsync(state.Id, state.RootRunId, CancellationToken.None))!;
        await a.ReleaseAsync(stale, runFinished: false, CancellationToken.None);
        Assert.NotNull(await b.TryClaimAsync(state.Id, state.RootRunId, CancellationToken.None));

        await Assert.ThrowsAsync<LeaseLostException>(() =>
            Writer.AppendAsync(
                Change(state, c => SessionDecider.FailRun(c, state.RootRunId, "x", DateTimeOffset.UtcNow, "engine")),
                stale,
                CancellationToken.None
            )
        );
        Assert.True((await LeaseRowAsync(state.RootRunId))!.Value.Live);
    }
}
