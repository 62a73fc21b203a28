using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Engine.Models;
using Skein.Engine.Tools;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Server.Seeding;

/// <summary>
/// First start: the default workspace, the built-in scripted provider and the <c>demo</c> agent
/// (Request mode, a Deployed version whose scripted model calls phrony_wait once, then answers).
/// Idempotent: anything already there by name is left as it is.
/// </summary>
public sealed class DemoSeeder(IDbContextFactory<SkeinDbContext> contexts, TimeProvider time) : IHostedService
{
    public const string DemoAgentName = "demo";
    public const string ScriptedProviderName = "scripted";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var workspace = await db.Workspaces.OrderBy(w => w.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (workspace is null)
        {
            workspace = new WorkspaceRow { Id = Ids.New(), Name = "default", CreatedAt = now };
            db.Workspaces.Add(workspace);
        }

        var provider = await db.LlmProviders.FirstOrDefaultAsync(p => p.TenantId == workspace.Id && p.Name == ScriptedProviderName, cancellationToken);
        if (provider is null)
        {
            provider = new LlmProviderRow { Id = Ids.New(), TenantId = workspace.Id, Name = ScriptedProviderName, Kind = ModelClientFactory.Scripted, CreatedAt = now };
            db.LlmProviders.Add(provider);
        }

        if (!await db.Agents.AnyAsync(a => a.TenantId == workspace.Id && a.Name == DemoAgentName, cancellationToken))
        {
            var agent = new AgentRow { Id = Ids.New(), TenantId = workspace.Id, Name = DemoAgentName, ExecutionMode = nameof(ExecutionMode.Request), LlmProviderId = provider.Id, CreatedAt = now };
            db.Agents.Add(agent);
            db.AgentVersions.Add(new AgentVersionRow
            {
                Id = Ids.New(),
                AgentId = agent.Id,
                TenantId = workspace.Id,
                Label = "v1",
                Description = "Demo: waits one second with phrony_wait, then answers.",
                State = nameof(VersionState.Deployed),
                Model = "skein-scripted",
                Instructions = "You are Skein's demo agent. Take a short pause, then greet the user.",
                Operations = JsonSerializer.Serialize(new[] { PhronyWaitTool.ToolName }),
                Script = JsonSerializer.Serialize(new ScriptTurn[]
                {
                    new() { Text = "Let me take a one-second pause first.", ToolCalls = [new ScriptToolCall(PhronyWaitTool.ToolName, SkeinJson.Parse("""{"seconds":1}"""))] },
                    new() { Text = "Hello from Skein's demo agent: I paused for a second with phrony_wait and now I'm done." },
                }, SkeinJson.Options),
                CreatedAt = now,
                DeployedAt = now,
            });
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
