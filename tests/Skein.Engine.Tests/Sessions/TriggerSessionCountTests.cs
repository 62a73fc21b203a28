using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Sessions;
using Skein.Engine.Runs;
using Skein.Store.Sessions;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Engine.Tests.Sessions;

/// <summary>
/// An API key lists only the sessions its triggers started, and that list's total comes from the maintained counts
/// (kept per trigger) like every other total, not from counting the trigger's sessions.
/// </summary>
public class TriggerSessionCountTests : EngineTestBase
{
    [Fact]
    public async Task A_trigger_scoped_total_is_summed_from_counts_kept_per_trigger()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await Host.CreateAgentAsync(new AgentSpec { Script = [Says("done")] });
        Guid api = Guid.NewGuid(),
            hook = Guid.NewGuid();

        var started = await Task.WhenAll([
            .. Enumerable.Range(0, 3).Select(_ => StartAsync(agent.AgentId, api, ct)),
            .. Enumerable.Range(0, 2).Select(_ => StartAsync(agent.AgentId, hook, ct)),
            Host.StartRunAsync(agent.AgentId),
        ]);
        foreach (var run in started)
        {
            await Host.WaitForStatusAsync(run.SessionId, "Completed");
        }

        var filter = new SessionFilter(agent.TenantId) { AgentId = agent.AgentId };
        Assert.Equal(6, await Host.Queries.CountAsync(filter, ct));
        Assert.Equal(3, await Host.Queries.CountAsync(filter with { TriggerIds = [api] }, ct));
        Assert.Equal(5, await Host.Queries.CountAsync(filter with { TriggerIds = [api, hook] }, ct));
        Assert.Equal(2, await Host.Queries.CountAsync(filter with { TriggerIds = [hook], Status = "Completed" }, ct));
        Assert.Equal(0, await Host.Queries.CountAsync(filter with { TriggerIds = [hook], Status = "Running" }, ct));
        Assert.Equal(0, await Host.Queries.CountAsync(filter with { TriggerIds = [] }, ct));

        // The totals are the counts' rows: one per trigger (and one for the session no trigger started), each having
        // moved from Running to Completed.
        await using var db = await Host.Contexts.CreateDbContextAsync(ct);
        var rows = await db
            .SessionCounts.Where(c => c.AgentId == agent.AgentId && c.Sessions != 0)
            .Select(c => new
            {
                c.TriggerId,
                c.Status,
                c.Sessions,
            })
            .ToListAsync(ct);
        Assert.Equal(
            new[] { (api, 3L), (hook, 2L), (Guid.Empty, 1L) }.OrderBy(r => r.Item1),
            rows.Select(r => (r.TriggerId, r.Sessions)).OrderBy(r => r.TriggerId)
        );
        Assert.All(rows, r => Assert.Equal("Completed", r.Status));
    }

    private Task<StartedRun> StartAsync(Guid agentId, Guid triggerId, CancellationToken ct) =>
        Host.Starter.StartAsync(
            new StartRunRequest(agentId, JsonSerializer.SerializeToElement(new { }), TriggerType.Api, "test")
            {
                TriggerId = triggerId,
            },
            ct
        );
}

public sealed class TriggerSessionCountTestsOnPostgres : TriggerSessionCountTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}
