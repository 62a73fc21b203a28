using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Skein.Store.Rows;

namespace Skein.Store.Configurations;

internal sealed class RunLeaseConfiguration : IEntityTypeConfiguration<RunLeaseRow>
{
    public void Configure(EntityTypeBuilder<RunLeaseRow> b)
    {
        b.ToTable("run_leases");
        b.HasKey(x => x.RunId);
        b.Property(x => x.Owner).HasMaxLength(200);

        // The heartbeat renews every lease of one owner.
        b.HasIndex(x => x.Owner);
    }
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKeyRow>
{
    public void Configure(EntityTypeBuilder<DataProtectionKeyRow> b)
    {
        b.ToTable("data_protection_keys");
        b.HasKey(x => x.FriendlyName);
        b.Property(x => x.FriendlyName).HasMaxLength(200);
    }
}
