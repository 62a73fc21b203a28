using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core;
using Skein.Store;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Engine.Tests.Storage;

/// <summary>Alone, so no other test's catalog writes move the process-wide generation while one is checked.</summary>
[CollectionDefinition(nameof(CatalogGenerationCollection), DisableParallelization = true)]
public sealed class CatalogGenerationCollection;

/// <summary>
/// Writes to what a run start resolves bump <see cref="CatalogGeneration"/> by themselves (nobody calls a bump),
/// and only once committed, so a start never caches rows that were about to change under the new generation.
/// </summary>
[Collection(nameof(CatalogGenerationCollection))]
public class CatalogGenerationTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private ServiceProvider _services = null!;

    protected virtual StoreKind StoreKind => StoreKind.Sqlite;

    private IDbContextFactory<SkeinDbContext> Contexts =>
        _services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();

    public async ValueTask InitializeAsync()
    {
        _store = await TestStore.CreateAsync(StoreKind, TestContext.Current.CancellationToken);
        _services = _store.AddTo(new ServiceCollection().AddLogging()).BuildServiceProvider();
        await using var db = await Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task A_bulk_update_in_a_transaction_bumps_the_generation_when_it_commits_and_not_before()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await TestData.CreateAgentAsync(Contexts, new AgentSpec(), ct);
        var before = CatalogGeneration.Current;
        await using (var db = await Contexts.CreateDbContextAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db
                .Agents.Where(a => a.Id == agent.AgentId)
                .ExecuteUpdateAsync(u => u.SetProperty(a => a.Name, "renamed"), ct);
            Assert.Equal(before, CatalogGeneration.Current);
            await tx.CommitAsync(ct);
        }

        Assert.True(CatalogGeneration.Current > before, "a committed bulk update must bump the generation");
    }

    [Fact]
    public async Task Tracked_saves_and_bulk_deletes_bump_the_generation_and_a_rollback_does_not()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await TestData.CreateAgentAsync(Contexts, new AgentSpec(), ct);

        var before = CatalogGeneration.Current;
        await using (var db = await Contexts.CreateDbContextAsync(ct))
        {
            var row = await db.Agents.SingleAsync(a => a.Id == agent.AgentId, ct);
            row.Name = "tracked";
            await db.SaveChangesAsync(ct);
        }

        Assert.True(CatalogGeneration.Current > before, "a tracked save of an agent must bump the generation");

        before = CatalogGeneration.Current;
        await using (var db = await Contexts.CreateDbContextAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.AgentVersions.Where(v => v.AgentId == agent.AgentId).ExecuteDeleteAsync(ct);
            await tx.RollbackAsync(ct);
        }

        Assert.Equal(before, CatalogGeneration.Current);

        await using (var db = await Contexts.CreateDbContextAsync(ct))
        {
            await db.Secrets.Where(s => s.TenantId == agent.TenantId).ExecuteDeleteAsync(ct);
        }

        Assert.True(CatalogGeneration.Current > before, "a bulk delete of secrets must bump the generation");
    }

    [Fact]
    public async Task Writes_to_other_tables_leave_the_generation_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await TestData.CreateAgentAsync(Contexts, new AgentSpec(), ct);
        var before = CatalogGeneration.Current;
        await using var db = await Contexts.CreateDbContextAsync(ct);
        db.AuditLog.Add(
            new AuditRow
            {
                TenantId = agent.TenantId,
                Actor = "test",
                Action = "test.noop",
                SubjectType = "agent",
                SubjectId = agent.AgentId,
                Detail = "",
                At = DateTime.UtcNow,
            }
        );
        await db.SaveChangesAsync(ct);
        await db.AuditLog.Where(a => a.Action == "test.noop").ExecuteDeleteAsync(ct);
        Assert.Equal(before, CatalogGeneration.Current);
    }

    [Fact]
    public async Task A_trigger_write_moves_only_the_trigger_generation_and_a_cached_api_trigger_is_read_again()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await TestData.CreateAgentAsync(Contexts, new AgentSpec(), ct);
        await using (var db = await Contexts.CreateDbContextAsync(ct))
        {
            db.Triggers.Add(
                new TriggerRow
                {
                    Id = Ids.New(),
                    TenantId = agent.TenantId,
                    AgentId = agent.AgentId,
                    Name = "api",
                    Type = Core.Triggers.TriggerTypes.Api,
                    CreatedAt = DateTime.UtcNow,
                }
            );
            await db.SaveChangesAsync(ct);
        }

        var triggers = new TriggerQueries(Contexts);
        Assert.True((await triggers.ApiTriggerAsync(agent.AgentId, ct))?.Active);
        var (catalog, before) = (CatalogGeneration.Current, CatalogGeneration.Triggers);
        await using (var db = await Contexts.CreateDbContextAsync(ct))
        {
            await db
                .Triggers.Where(t => t.AgentId == agent.AgentId)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.Active, false), ct);
        }

        Assert.True(CatalogGeneration.Triggers > before, "a trigger write must bump the trigger generation");
        Assert.Equal(catalog, CatalogGeneration.Current);
        // Within the cache's time to live: only the generation tells the cache the row changed.
        Assert.False((await triggers.ApiTriggerAsync(agent.AgentId, ct))?.Active);
        Assert.Null(await triggers.ApiTriggerAsync(Guid.NewGuid(), ct));
    }
}

[Collection(nameof(CatalogGenerationCollection))]
public sealed class CatalogGenerationTestsOnPostgres : CatalogGenerationTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}
