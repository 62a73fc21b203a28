using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Triggers;
using Skein.Engine.Models;
using Skein.Server.Auth;
using Skein.Server.Hosting;
using Skein.Engine.Tools;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Server.Seeding;

/// <summary>
/// First start: the default workspace, the built-in scripted provider and the <c>demo</c> agent
/// (Request mode, a Deployed version whose scripted model calls phrony_wait once, then answers).
/// Idempotent: anything already there by name is left as it is.
/// </summary>
public sealed class DemoSeeder(
    IDbContextFactory<SkeinDbContext> contexts,
    ApiKeyService keys,
    IConfiguration configuration,
    SkeinHostOptions host,
    TimeProvider time) : IHostedService
{
    public const string DemoAgentName = "demo";
    public const string ScriptedProviderName = "scripted";
    public const string DemoKeyName = "demo";

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

        var agent = await db.Agents.FirstOrDefaultAsync(a => a.TenantId == workspace.Id && a.Name == DemoAgentName, cancellationToken);
        if (agent is null)
        {
            agent = new AgentRow { Id = Ids.New(), TenantId = workspace.Id, Name = DemoAgentName, ExecutionMode = nameof(ExecutionMode.Request), LlmProviderId = provider.Id, CreatedAt = now };
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

        var trigger = await db.Triggers.FirstOrDefaultAsync(t => t.AgentId == agent.Id && t.Type == TriggerTypes.Api, cancellationToken);
        if (trigger is null)
        {
            trigger = new TriggerRow { Id = Ids.New(), TenantId = workspace.Id, AgentId = agent.Id, Name = "api", Type = TriggerTypes.Api, CreatedAt = now };
            db.Triggers.Add(trigger);
        }

        await db.SaveChangesAsync(cancellationToken);
        await EnsureDemoKeyAsync(db, workspace.Id, new ApiKeyService.Scope(agent.Id, trigger.Id), cancellationToken);
    }

    /// <summary>
    /// The demo key: <c>SKEIN_DEMO_API_KEY</c> when set (so automated set-ups know it), otherwise one
    /// generated on first start, printed once and saved in the data folder for the README's examples.
    /// </summary>
    private async Task EnsureDemoKeyAsync(SkeinDbContext db, Guid tenantId, ApiKeyService.Scope scope, CancellationToken cancellationToken)
    {
        if (configuration["SKEIN_DEMO_API_KEY"] is { Length: > 0 } configured)
        {
            var existing = await keys.FindAsync(configured, cancellationToken);
            if (existing is { } id)
            {
                await keys.AddScopeAsync(id, scope, cancellationToken);
            }
            else
            {
                await keys.CreateAsync(tenantId, DemoKeyName, [scope], allowFileUploads: true, configured, cancellationToken);
            }

            return;
        }

        if (await db.ApiKeys.AnyAsync(k => k.Name == DemoKeyName && k.TenantId == tenantId, cancellationToken))
        {
            return;
        }

        var created = await keys.CreateAsync(tenantId, DemoKeyName, [scope], allowFileUploads: true, null, cancellationToken);
        var file = Path.Combine(host.DataDirectory, "demo-api-key");
        await File.WriteAllTextAsync(file, created.Secret, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Console.WriteLine($"Demo API key for agent '{DemoAgentName}' (shown once; also saved in {file}): {created.Secret}");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
