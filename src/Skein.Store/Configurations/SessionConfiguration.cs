using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Skein.Store.Rows;

namespace Skein.Store.Configurations;

internal sealed class SessionConfiguration : IEntityTypeConfiguration<SessionRow>
{
    public void Configure(EntityTypeBuilder<SessionRow> b)
    {
        b.ToTable("sessions");
        b.HasKey(x => x.Id);
        b.Property(x => x.LlmModel).HasMaxLength(200);
        b.Property(x => x.TriggerType).HasMaxLength(16);
        b.Property(x => x.TriggeredBy).HasMaxLength(200);
        b.Property(x => x.TriggerName).HasMaxLength(200);
        b.Property(x => x.Status).HasMaxLength(32);

        // The frozen start context is kilobytes and never changes: kept in its own table, the sessions row stays small,
        // so list scans read fewer pages and each status or token update rewrites a page shared by many sessions.
        b.SplitToTable("session_start_contexts", t =>
        {
            t.Property(x => x.Id).HasColumnName("session_id");
            t.Property(x => x.StartContext);
        });

        // The list views: newest first, per workspace, optionally by status or agent (keyset on started_at, id).
        b.HasIndex(x => new
        {
            x.TenantId,
            x.StartedAt,
            x.Id,
        });
        b.HasIndex(x => new
        {
            x.TenantId,
            x.Status,
            x.StartedAt,
            x.Id,
        });
        // Per agent the workspace is implied but still filtered on: with tenant_id in the index, the page and its
        // total (a count over every matching session) are answered from the index alone, without reading rows.
        b.HasIndex(x => new
        {
            x.AgentId,
            x.TenantId,
            x.StartedAt,
            x.Id,
        });
        b.HasIndex(x => new
        {
            x.AgentId,
            x.Status,
            x.TenantId,
            x.StartedAt,
            x.Id,
        });

        // Per-trigger concurrency limits count a trigger's unfinished sessions.
        b.HasIndex(x => new { x.TriggerId, x.Status });

        // The run supervisor finds sessions past their deadline (only unfinished sessions have one).
        b.HasIndex(x => x.DeadlineAt);
    }
}

internal sealed class RunConfiguration : IEntityTypeConfiguration<RunRow>
{
    public void Configure(EntityTypeBuilder<RunRow> b)
    {
        b.ToTable("runs");
        b.HasKey(x => x.Id);
        b.Property(x => x.Status).HasMaxLength(32);
        b.Property(x => x.AgentName).HasMaxLength(200);
        b.Property(x => x.VersionLabel).HasMaxLength(64);
        b.Property(x => x.LlmModel).HasMaxLength(200);
        b.Property(x => x.CompletedBy).HasMaxLength(200);
        b.HasIndex(x => x.SessionId);

        // The agent page's daily cost reads an agent's runs by start time.
        b.HasIndex(x => new { x.AgentId, x.StartedAt });

        // Recovery finds Running runs; the timer service finds due waiting runs.
        b.HasIndex(x => new { x.Status, x.WakeAt });
    }
}

internal sealed class StepConfiguration : IEntityTypeConfiguration<StepRow>
{
    public void Configure(EntityTypeBuilder<StepRow> b)
    {
        b.ToTable("steps");
        // Keyed by where the step sits in its session's stream: the one index, which the session's timeline and the
        // event log reader (a step.appended event's step) both read by. Step ids are unique but never looked up.
        b.HasKey(x => new { x.SessionId, x.EventSequence });
        b.Property(x => x.Type).HasMaxLength(32);
    }
}

internal sealed class SessionEventConfiguration : IEntityTypeConfiguration<SessionEventRow>
{
    public void Configure(EntityTypeBuilder<SessionEventRow> b)
    {
        b.ToTable("session_events");
        b.HasKey(x => x.GlobalSequence);
        b.Property(x => x.GlobalSequence).ValueGeneratedOnAdd();
        b.Property(x => x.Type).HasMaxLength(64);
        b.Property(x => x.Actor).HasMaxLength(200);
        b.HasIndex(x => new { x.SessionId, x.Sequence }).IsUnique();
    }
}
