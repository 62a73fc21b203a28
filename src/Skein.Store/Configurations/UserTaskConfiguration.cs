using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Skein.Store.Rows;

namespace Skein.Store.Configurations;

internal sealed class UserTaskConfiguration : IEntityTypeConfiguration<UserTaskRow>
{
    public void Configure(EntityTypeBuilder<UserTaskRow> b)
    {
        b.ToTable("user_tasks");
        b.HasKey(x => x.Id);
        b.Property(x => x.Kind).HasMaxLength(32);
        b.Property(x => x.Status).HasMaxLength(16);
        b.Property(x => x.ToolCallId).HasMaxLength(200);
        b.Property(x => x.AnsweredBy).HasMaxLength(200);
        b.HasIndex(x => x.SessionId);

        // Approvals list (Pending / Completed, newest first) and the timeout sweep.
        b.HasIndex(x => new
        {
            x.TenantId,
            x.Status,
            x.CreatedAt,
        });
        b.HasIndex(x => new { x.Status, x.TimeoutAt });
    }
}

internal sealed class AuditConfiguration : IEntityTypeConfiguration<AuditRow>
{
    public void Configure(EntityTypeBuilder<AuditRow> b)
    {
        b.ToTable("audit_log");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedOnAdd();
        b.Property(x => x.Actor).HasMaxLength(200);
        b.Property(x => x.Action).HasMaxLength(64);
        b.Property(x => x.SubjectType).HasMaxLength(32);
        b.Property(x => x.Outcome).HasMaxLength(16).HasDefaultValue(AuditOutcomes.Succeeded);

        // GET /api/audit pages by id (newest first), filtered by actor prefix or by time.
        b.HasIndex(x => new { x.Actor, x.Id });
        b.HasIndex(x => x.At);
        b.HasIndex(x => new
        {
            x.SubjectType,
            x.SubjectId,
            x.At,
        });
    }
}
