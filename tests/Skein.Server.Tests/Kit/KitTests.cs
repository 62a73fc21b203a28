using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Skein.Testing.Stores;

namespace Skein.Server.Tests;

/// <summary>The test kit itself: each store case really runs on its store.</summary>
public sealed class KitTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task Each_store_case_talks_to_a_server_on_that_store()
    {
        await using var db = await Server.Contexts.CreateDbContextAsync(Ct);
        var provider = db.Database.ProviderName ?? "";

        Assert.Equal(TestStores.Current, StoreKind);
        Assert.Contains(StoreKind == StoreKind.Postgres ? "Npgsql" : "Sqlite", provider, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Admin.GetAsync("/healthz", Ct)).StatusCode);
    }
}

/// <summary>No API test class bypasses the kit: a class fixture of <see cref="SkeinApiFactory"/> or a plain
/// <c>[Fact]</c> in an <see cref="ApiTests"/> class would run on SQLite only.</summary>
public sealed class KitConventionTests
{
    [Fact]
    public void No_test_class_takes_a_single_store_server_as_its_class_fixture()
    {
        var singleStore = typeof(KitConventionTests)
            .Assembly.GetTypes()
            .Where(t => t.GetInterfaces().Contains(typeof(IClassFixture<SkeinApiFactory>)))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(
            singleStore.Count == 0,
            "derive these from ApiTests and mark their tests [StoreFact] so they run on both stores: "
                + string.Join(", ", singleStore)
        );
    }

    [Fact]
    public void Every_test_of_an_api_test_class_runs_on_both_stores()
    {
        var singleStore = typeof(KitConventionTests)
            .Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(ApiTests)))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m =>
                m.GetCustomAttributes<FactAttribute>().Any()
                && !m.GetCustomAttributes<StoreFactAttribute>().Any()
                && !m.GetCustomAttributes<StoreTheoryAttribute>().Any()
            )
            .Select(m => $"{m.DeclaringType?.Name}.{m.Name}")
            .ToList();

        Assert.True(singleStore.Count == 0, "use [StoreFact] / [StoreTheory]: " + string.Join(", ", singleStore));
    }
}
