using Microsoft.EntityFrameworkCore;
using Skein.Application.Audit;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Store;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Workspaces;

namespace Skein.Application.Workspaces;

/// <summary>The default workspace's retention and plan limits, as the dashboard's Settings page edits them.</summary>
public sealed class WorkspaceSettingsService(
    IDbContextFactory<SkeinDbContext> contexts,
    WorkspaceSettings settings,
    AuditTrail audit,
    TimeProvider time
)
{
    /// <summary>The default workspace's id, creating it (named <c>default</c>) on the first start.</summary>
    public async Task<Guid> EnsureDefaultAsync(Actor actor, CancellationToken cancellationToken)
    {
        var created = await UnitOfWork.RunAsync<Guid>(
            contexts,
            async db =>
            {
                if (await DefaultWorkspace.FindIdAsync(db, cancellationToken) is { } id)
                {
                    return id;
                }

                var row = new WorkspaceRow
                {
                    Id = Ids.New(),
                    Name = "default",
                    CreatedAt = time.GetUtcNow().UtcDateTime,
                };
                db.Workspaces.Add(row);
                audit.Record(db, row.Id, actor, "workspace.created", "workspace", row.Id, row.Name);
                return row.Id;
            },
            cancellationToken
        );
        return created.IsSuccess ? created.Value : throw new DomainException(created.Error);
    }

    public async Task<WorkspaceRow> GetAsync(CancellationToken cancellationToken) =>
        await settings.GetAsync(await DefaultWorkspace.IdAsync(contexts, cancellationToken), cancellationToken);

    /// <summary>
    /// Saves retention and plan limits after <see cref="WorkspaceRules"/>, with the run tree's depth cap (SPEC
    /// section 9) and the workspace's <c>maxInputBytes</c> when given (null keeps the current value); a refusal is
    /// <c>invalid_input</c> whose message lists every problem as <c>field: problem</c>, one per line.
    /// </summary>
    public Task<Result<WorkspaceRow>> UpdateAsync(
        int retentionDays,
        int maxActiveSessionSeconds,
        int agentWaitBudgetSeconds,
        Actor actor,
        CancellationToken cancellationToken,
        int? maxSubAgentDepth = null,
        int? maxInputBytes = null,
        int? maxToolCallsPerRun = null
    ) =>
        UnitOfWork.RunAsync<WorkspaceRow>(
            contexts,
            async db =>
            {
                var problems = WorkspaceRules
                    .Check(retentionDays, maxActiveSessionSeconds, agentWaitBudgetSeconds)
                    .ToList();
                if (maxSubAgentDepth is { } depth && SubAgentRules.CheckMaxDepth(depth) is { } badDepth)
                {
                    problems.Add(badDepth);
                }

                if (InputLimits.CheckSetting(maxInputBytes) is { } badInput)
                {
                    problems.Add("max input size: " + badInput.Message);
                }

                if (maxToolCallsPerRun is { } cap && WorkspaceRules.CheckMaxToolCallsPerRun(cap) is { } badCap)
                {
                    problems.Add(badCap);
                }

                if (problems.Count > 0)
                {
                    return DomainError.Invalid(string.Join('\n', problems));
                }

                var tenant = await DefaultWorkspace.IdAsync(db, cancellationToken);
                var row = await WorkspaceSettings.StageAsync(
                    db,
                    tenant,
                    retentionDays,
                    maxActiveSessionSeconds,
                    agentWaitBudgetSeconds,
                    cancellationToken
                );
                if (row is null)
                {
                    return DomainError.NotFound("workspace", tenant);
                }

                row.MaxSubAgentDepth = maxSubAgentDepth ?? row.MaxSubAgentDepth;
                row.MaxInputBytes = maxInputBytes ?? row.MaxInputBytes;
                row.MaxToolCallsPerRun = maxToolCallsPerRun switch
                {
                    null => row.MaxToolCallsPerRun,
                    0 => null,
                    { } perRun => perRun,
                };
                var toolCap = row.MaxToolCallsPerRun?.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var maxInput = row.MaxInputBytes is { } bytes
                    ? bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " B"
                    : "default";
                audit.Record(
                    db,
                    tenant,
                    actor,
                    "workspace.limits_updated",
                    "workspace",
                    tenant,
                    $"retention {retentionDays} d, active {maxActiveSessionSeconds} s, "
                        + $"wait {agentWaitBudgetSeconds} s, depth {row.MaxSubAgentDepth}, max input {maxInput}, "
                        + $"tool calls per run {toolCap ?? "no cap"}"
                );
                return row;
            },
            cancellationToken
        );
}
