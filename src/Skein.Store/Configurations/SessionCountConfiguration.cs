using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Skein.Store.Rows;

namespace Skein.Store.Configurations;

internal sealed class SessionCountConfiguration : IEntityTypeConfiguration<SessionCountRow>
{
    public void Configure(EntityTypeBuilder<SessionCountRow> b)
    {
        b.ToTable("session_counts");

        // The key is what the append's upsert conflicts on; its prefix (tenant, agent) serves every list's total.
        b.HasKey(x => new
        {
            x.TenantId,
            x.AgentId,
            x.AgentVersionId,
            x.TriggerId,
            x.Status,
        });
        b.Property(x => x.Status).HasMaxLength(32);
    }
}
