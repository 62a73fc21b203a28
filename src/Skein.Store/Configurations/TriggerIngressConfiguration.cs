using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Skein.Store.Rows;

namespace Skein.Store.Configurations;

internal sealed class TriggerIngressConfiguration : IEntityTypeConfiguration<TriggerIngressRow>
{
    public void Configure(EntityTypeBuilder<TriggerIngressRow> b)
    {
        b.ToTable("trigger_ingress");
        b.HasKey(x => x.Id);
        b.Property(x => x.Outcome).HasMaxLength(32);
        b.Property(x => x.DeliveryId).HasMaxLength(200);
        b.HasIndex(x => new { x.TriggerId, x.ReceivedAt });

        // Retention deletes a workspace's entries by age.
        b.HasIndex(x => new { x.TenantId, x.ReceivedAt });
    }
}

internal sealed class TriggerRefusalConfiguration : IEntityTypeConfiguration<TriggerRefusalRow>
{
    public void Configure(EntityTypeBuilder<TriggerRefusalRow> b)
    {
        b.ToTable("trigger_refusals");
        b.HasKey(x => x.TriggerId);
        b.Property(x => x.LastReason).HasMaxLength(TriggerRefusalRow.MaxReasonLength);
    }
}

internal sealed class TriggerDeliveryConfiguration : IEntityTypeConfiguration<TriggerDeliveryRow>
{
    public void Configure(EntityTypeBuilder<TriggerDeliveryRow> b)
    {
        b.ToTable("trigger_deliveries");
        b.HasKey(x => new { x.TriggerId, x.DeliveryId });
        b.Property(x => x.DeliveryId).HasMaxLength(200);
    }
}
