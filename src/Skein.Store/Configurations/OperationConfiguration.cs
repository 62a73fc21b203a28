using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Skein.Store.Rows;

namespace Skein.Store.Configurations;

internal sealed class OperationConfiguration : IEntityTypeConfiguration<OperationRow>
{
    public void Configure(EntityTypeBuilder<OperationRow> b)
    {
        b.ToTable("operations");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Method).HasMaxLength(10);
        b.Property(x => x.Path).HasMaxLength(2000);
        b.HasIndex(x => new { x.TenantId, x.Name }).IsUnique();
    }
}

internal sealed class IntegrationConfiguration : IEntityTypeConfiguration<IntegrationRow>
{
    public void Configure(EntityTypeBuilder<IntegrationRow> b)
    {
        b.ToTable("integrations");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.BaseUrl).HasMaxLength(2000);
        b.Property(x => x.AuthType).HasMaxLength(16);
        b.Property(x => x.AuthHeaderName).HasMaxLength(200);
        b.Property(x => x.AuthSecretName).HasMaxLength(200);
        b.HasIndex(x => new { x.TenantId, x.Name }).IsUnique();
    }
}

internal sealed class TriggerConfiguration : IEntityTypeConfiguration<TriggerRow>
{
    public void Configure(EntityTypeBuilder<TriggerRow> b)
    {
        b.ToTable("triggers");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Type).HasMaxLength(16);
        b.HasIndex(x => new { x.AgentId, x.Name }).IsUnique();
        b.HasIndex(x => new
        {
            x.Type,
            x.Active,
            x.NextFireAt,
        });
    }
}
