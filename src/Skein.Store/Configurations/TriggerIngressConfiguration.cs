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
