using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Skein.Store.Rows;

namespace Skein.Store;

/// <summary>
/// The one model shared by both stores. Table and column names are snake_case and fixed here, so the
/// hot append path (<see cref="EventLog.EventLogWriter"/>) can use the same SQL on SQLite and PostgreSQL.
/// </summary>
public sealed class SkeinDbContext : DbContext
{
    public SkeinDbContext(DbContextOptions<SkeinDbContext> options)
        : base(options)
    {
        var interceptors = options.FindExtension<CoreOptionsExtension>()?.Interceptors ?? [];
        if (!interceptors.Contains(Skein.Store.Agents.CatalogWrites.Instance))
        {
            throw new InvalidOperationException(
                "SkeinDbContext options need SkeinDbContext.AddSkeinInterceptors (catalog generation)"
            );
        }
    }

    public DbSet<WorkspaceRow> Workspaces => Set<WorkspaceRow>();
    public DbSet<LlmProviderRow> LlmProviders => Set<LlmProviderRow>();
    public DbSet<AgentRow> Agents => Set<AgentRow>();
    public DbSet<AgentVersionRow> AgentVersions => Set<AgentVersionRow>();
    public DbSet<IntegrationRow> Integrations => Set<IntegrationRow>();
    public DbSet<OperationRow> Operations => Set<OperationRow>();
    public DbSet<TriggerRow> Triggers => Set<TriggerRow>();
    public DbSet<SessionRow> Sessions => Set<SessionRow>();
    public DbSet<SessionCountRow> SessionCounts => Set<SessionCountRow>();
    public DbSet<RunRow> Runs => Set<RunRow>();
    public DbSet<StepRow> Steps => Set<StepRow>();
    public DbSet<SessionEventRow> SessionEvents => Set<SessionEventRow>();
    public DbSet<UserTaskRow> UserTasks => Set<UserTaskRow>();
    public DbSet<AuditRow> AuditLog => Set<AuditRow>();
    public DbSet<UserRow> Users => Set<UserRow>();
    public DbSet<UserTokenRow> UserTokens => Set<UserTokenRow>();
    public DbSet<ApiKeyRow> ApiKeys => Set<ApiKeyRow>();
    public DbSet<ApiKeyScopeRow> ApiKeyScopes => Set<ApiKeyScopeRow>();
    public DbSet<IdempotencyRecordRow> IdempotencyRecords => Set<IdempotencyRecordRow>();
    public DbSet<LibraryFileRow> LibraryFiles => Set<LibraryFileRow>();
    public DbSet<ServerSettingRow> ServerSettings => Set<ServerSettingRow>();
    public DbSet<SecretRow> Secrets => Set<SecretRow>();
    public DbSet<TriggerIngressRow> TriggerIngress => Set<TriggerIngressRow>();
    public DbSet<TriggerDeliveryRow> TriggerDeliveries => Set<TriggerDeliveryRow>();
    public DbSet<TriggerRefusalRow> TriggerRefusals => Set<TriggerRefusalRow>();
    public DbSet<RunLeaseRow> RunLeases => Set<RunLeaseRow>();
    public DbSet<DataProtectionKeyRow> DataProtectionKeys => Set<DataProtectionKeyRow>();

    /// <summary>
    /// What every store adds to its context options after choosing its provider: the interceptor that reports catalog
    /// writes (<see cref="Skein.Store.Agents.CatalogGeneration"/>). A context built without it refuses to start.
    /// </summary>
    public static DbContextOptionsBuilder AddSkeinInterceptors(DbContextOptionsBuilder options) =>
        options.AddInterceptors(Skein.Store.Agents.CatalogWrites.Instance);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every instant is UTC; SQLite hands DateTime back as Unspecified, PostgreSQL insists on Utc.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(SkeinDbContext).Assembly);
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }
    }

    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }

    private sealed class UtcDateTimeConverter()
        : ValueConverter<DateTime, DateTime>(
            v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
            v => DateTime.SpecifyKind(v, DateTimeKind.Utc)
        );
}
