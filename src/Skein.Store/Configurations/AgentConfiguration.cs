using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Skein.Store.Rows;

namespace Skein.Store.Configurations;

internal sealed class AgentConfiguration : IEntityTypeConfiguration<AgentRow>
{
    public void Configure(EntityTypeBuilder<AgentRow> b)
    {
        b.ToTable("agents");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.ExecutionMode).HasMaxLength(16);
        b.HasIndex(x => new { x.TenantId, x.Name }).IsUnique();
    }
}

internal sealed class AgentVersionConfiguration : IEntityTypeConfiguration<AgentVersionRow>
{
    public void Configure(EntityTypeBuilder<AgentVersionRow> b)
    {
        b.ToTable("agent_versions");
        b.HasKey(x => x.Id);
        b.Property(x => x.Label).HasMaxLength(64);
        b.Property(x => x.Description).HasMaxLength(512);
        b.Property(x => x.State).HasMaxLength(16);
        b.Property(x => x.Model).HasMaxLength(200);
        b.Property(x => x.Conversation).HasMaxLength(16);
        b.Property(x => x.MidRunMessages).HasMaxLength(16);
        b.Property(x => x.SubAgentExecutionModel).HasMaxLength(16);
        b.HasIndex(x => new { x.AgentId, x.Label }).IsUnique();
        b.HasIndex(x => new { x.AgentId, x.State });

        // At most one Deployed version per agent (SPEC section 1), enforced by the store as well as the domain.
        b.HasIndex(x => x.AgentId)
            .IsUnique()
            .HasFilter("state = 'Deployed'")
            .HasDatabaseName("ux_agent_versions_deployed");
    }
}
