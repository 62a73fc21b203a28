using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Skein.Store.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add --project src/Skein.Store.Sqlite</c> build the model.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<SkeinDbContext>
{
    public SkeinDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SkeinDbContext>();
        SqliteStoreExtensions.Configure(options, SqliteStoreExtensions.ConnectionString("design-time.db"));
        return new SkeinDbContext(options.Options);
    }
}
