using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Skein.Store.Rows;

namespace Skein.Store.Configurations;

internal sealed class SecretConfiguration : IEntityTypeConfiguration<SecretRow>
{
    public void Configure(EntityTypeBuilder<SecretRow> b)
    {
        b.ToTable("secrets");
        b.HasKey(x => new { x.TenantId, x.Name });
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.OwnerKind).HasMaxLength(Core.Secrets.SecretOwner.MaxKindLength);
    }
}
