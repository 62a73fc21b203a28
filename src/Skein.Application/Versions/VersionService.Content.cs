using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Manifests.Planning;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Application.Versions;

public sealed partial class VersionService
{
    /// <summary>
    /// Writes a whole version under the label its file gives it (manifest apply), inside the caller's unit of work:
    /// a new Testing version when <paramref name="versionId"/> is null, else the content of a Testing version
    /// (deployed and archived versions are read-only).
    /// </summary>
    public async Task<Result<VersionView>> PutContentAsync(
        SkeinDbContext db,
        Actor actor,
        Guid agentId,
        Guid? versionId,
        VersionSpec spec,
        CancellationToken cancellationToken
    )
    {
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return DomainError.NotFound("agent", agentId);
        }

        var allowed = await AllowedIdsAsync(db, agent.TenantId, spec.AllowedSubAgents, cancellationToken);
        if (!allowed.IsSuccess)
        {
            return allowed.Error;
        }

        AgentVersionRow version;
        if (versionId is { } id)
        {
            var editable = await EditableAsync(db, agentId, id, cancellationToken);
            if (!editable.IsSuccess)
            {
                return editable.Error;
            }

            version = editable.Value;
        }
        else
        {
            version = new AgentVersionRow
            {
                Id = Ids.New(),
                AgentId = agentId,
                TenantId = agent.TenantId,
                Label = spec.Label,
                State = nameof(VersionState.Testing),
                Model = spec.Model,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.AgentVersions.Add(version);
        }

        version.Label = spec.Label;
        version.Description = spec.Description;
        version.Model = spec.Model;
        version.Instructions = spec.Instructions;
        version.Temperature = spec.Temperature;
        version.TopP = spec.TopP;
        version.TopK = spec.TopK;
        version.InputSchema = spec.InputSchema;
        version.OutputSchema = spec.OutputSchema;
        version.Operations = spec.Operations;
        version.Limits = spec.Limits;
        version.Conversation = spec.Conversation;
        version.ConversationIdleTimeoutSec = spec.ConversationIdleTimeoutSec;
        version.MidRunMessages = spec.MidRunMessages;
        version.GuardRules = spec.GuardRules;
        version.Script = spec.Script;
        version.CanExecuteSubAgents = spec.CanExecuteSubAgents;
        version.AllowedSubAgents = allowed.Value;
        version.SubAgentExecutionModel = spec.SubAgentExecutionModel;
        if (await CheckWiringAsync(db, agent, version, cancellationToken) is { } unwired)
        {
            return unwired;
        }

        Audit(db, actor, version, versionId is null ? "version.created" : "version.updated");
        return VersionView.From(version);
    }
}
