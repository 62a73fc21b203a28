using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Server.Dashboard.Auth;
using Skein.Store;

namespace Skein.Server.Tests.Dashboard;

/// <summary>The admin account on each real store: configured, generated once, replaced, never stored in
/// clear.</summary>
public sealed class OperatorAccountTests
{
    [StoreFact]
    public async Task A_generated_password_is_returned_once_stored_only_as_a_hash_and_replaced_by_a_configured_one()
    {
        await using var factory = await SkeinApiFactory.FreshAsync();
        _ = factory.Server;
        var account = factory.Services.GetRequiredService<OperatorAccount>();
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        var ct = TestContext.Current.CancellationToken;
        Assert.True(await account.VerifyAsync("admin", SkeinApiFactory.AdminPassword, ct));

        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            await db.ServerSettings.Where(s => s.Key == OperatorAccount.HashKey).ExecuteDeleteAsync(ct);
        }

        var generated = await account.EnsureAsync(null, ct);
        Assert.False(string.IsNullOrEmpty(generated));
        Assert.Null(await account.EnsureAsync(null, ct));
        Assert.True(await account.VerifyAsync("admin", generated, ct));
        Assert.False(await account.VerifyAsync("someone", generated, ct));
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var stored = await db.ServerSettings.SingleAsync(s => s.Key == OperatorAccount.HashKey, ct);
            Assert.DoesNotContain(generated!, stored.Value);
        }

        Assert.Null(await account.EnsureAsync("chosen-by-operator", ct));
        Assert.True(await account.VerifyAsync("admin", "chosen-by-operator", ct));
        Assert.False(await account.VerifyAsync("admin", generated, ct));
    }
}
