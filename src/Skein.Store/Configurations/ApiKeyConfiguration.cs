using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Skein.Store.Rows;

namespace Skein.Store.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKeyRow>
{
    public void Configure(EntityTypeBuilder<ApiKeyRow> b)
    {
        b.ToTable("api_keys");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Prefix).HasMaxLength(16);
        b.Property(x => x.Hash).HasMaxLength(128);
        b.HasIndex(x => x.Hash).IsUnique();
    }
}

internal sealed class ApiKeyScopeConfiguration : IEntityTypeConfiguration<ApiKeyScopeRow>
{
    public void Configure(EntityTypeBuilder<ApiKeyScopeRow> b)
    {
        b.ToTable("api_key_scopes");
        b.HasKey(x => x.Id);
        b.HasIndex(x => new
            {
                x.ApiKeyId,
                x.AgentId,
                x.TriggerId,
            })
            .IsUnique();
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecordRow>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecordRow> b)
    {
        b.ToTable("idempotency_records");
        b.HasKey(x => new { x.ApiKeyId, x.Key });
        b.Property(x => x.Key).HasMaxLength(200);
    }
}

internal sealed class LibraryFileConfiguration : IEntityTypeConfiguration<LibraryFileRow>
{
    public void Configure(EntityTypeBuilder<LibraryFileRow> b)
    {
        b.ToTable("library_files");
        b.HasKey(x => x.ObjectKey);
        b.Property(x => x.ObjectKey).HasMaxLength(400);
        b.Property(x => x.LeafName).HasMaxLength(300);
        b.Property(x => x.Filename).HasMaxLength(255);
        b.Property(x => x.MediaType).HasMaxLength(200);
        b.Property(x => x.State).HasMaxLength(16);
        b.HasIndex(x => new { x.TenantId, x.LeafName });
    }
}

internal sealed class ServerSettingConfiguration : IEntityTypeConfiguration<ServerSettingRow>
{
    public void Configure(EntityTypeBuilder<ServerSettingRow> b)
    {
        b.ToTable("server_settings");
        b.HasKey(x => x.Key);
        b.Property(x => x.Key).HasMaxLength(100);
    }
}
