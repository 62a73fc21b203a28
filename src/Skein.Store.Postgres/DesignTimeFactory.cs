using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Skein.Store.Postgres;

/// <summary>Lets <c>dotnet ef migrations add --project src/Skein.Store.Postgres</c> build the model (no server
/// needed).</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<SkeinDbContext>
{
    public SkeinDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SkeinDbContext>();
        PostgresStoreExtensions.Configure(options, "Host=127.0.0.1;Database=skein_design");
        return new SkeinDbContext(options.Options);
    }
}
