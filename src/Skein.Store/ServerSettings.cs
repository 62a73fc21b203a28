using Microsoft.EntityFrameworkCore;
using Skein.Store.Rows;

namespace Skein.Store;

/// <summary>
/// Node-shared key/value settings (<c>server_settings</c>), such as the dashboard password hash, and the store's
/// reachability for the health check.
/// </summary>
public sealed class ServerSettings(IDbContextFactory<SkeinDbContext> contexts)
{
    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .ServerSettings.AsNoTracking()
            .Where(s => s.Key == key)
            .Select(s => s.Value)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Writes the value. With <paramref name="onlyIfAbsent"/>, false when another node created the key first (its
    /// value stands); otherwise the value replaces any earlier one.
    /// </summary>
    public async Task<bool> SetAsync(string key, string value, bool onlyIfAbsent, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ServerSettings.FirstOrDefaultAsync(s => s.Key == key, cancellationToken);
        if (row is null)
        {
            db.ServerSettings.Add(new ServerSettingRow { Key = key, Value = value });
        }
        else if (onlyIfAbsent)
        {
            return false;
        }
        else
        {
            row.Value = value;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException) when (row is null && onlyIfAbsent)
        {
            return false;
        }
    }

    /// <summary>True when the store answers.</summary>
    public async Task<bool> CanConnectAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken);
    }
}
