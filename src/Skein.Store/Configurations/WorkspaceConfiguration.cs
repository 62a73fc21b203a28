using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Skein.Store.Rows;

namespace Skein.Store.Configurations;

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<WorkspaceRow>
{
    public void Configure(EntityTypeBuilder<WorkspaceRow> b)
    {
        b.ToTable("workspaces");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(200);
    }
}

internal sealed class LlmProviderConfiguration : IEntityTypeConfiguration<LlmProviderRow>
{
    public void Configure(EntityTypeBuilder<LlmProviderRow> b)
    {
        b.ToTable("llm_providers");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Kind).HasMaxLength(32);
        b.Property(x => x.BaseUrl).HasMaxLength(2000);
        b.Property(x => x.ApiKeySecretName).HasMaxLength(200);
        b.HasIndex(x => new { x.TenantId, x.Name }).IsUnique();
    }
}
