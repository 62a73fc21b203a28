using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Triggers;
using Skein.Engine.Models;
using Skein.Engine.Tools;
using Skein.Store;
using Skein.Store.ApiKeys;
using Skein.Store.Rows;

namespace Skein.Application.Seeding;

/// <summary>Where the demo seeder saves a generated demo API key (the server's data folder).</summary>
public sealed record DemoSeedOptions(string DataDirectory);

/// <summary>
/// First start: the default workspace, the built-in scripted provider, the <c>demo</c> agent (Request
/// mode: calls phrony_wait once, then answers) and the <c>demo-hitl</c> agent (HITL: asks a person to
/// approve a refund), each with a Deployed version and an api trigger, and a demo API key for both.
/// Idempotent: anything already there by name is left as it is. The server registers it after the migrator and
/// before the engine (hosted services start in registration order).
/// </summary>
public sealed partial class DemoSeeder(
    IDbContextFactory<SkeinDbContext> contexts,
    ApiKeyStore keys,
    IConfiguration configuration,
    DemoSeedOptions options,
    TimeProvider time,
    ILogger<DemoSeeder> logger
) : IHostedService
{
    public const string DemoAgentName = "demo";
    public const string ScriptedProviderName = "scripted";
    public const string DemoKeyName = "demo";
    public const string DemoHitlAgentName = "demo-hitl";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var workspace = await db.Workspaces.OrderBy(w => w.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (workspace is null)
        {
            workspace = new WorkspaceRow
            {
                Id = Ids.New(),
                Name = "default",
                CreatedAt = now,
            };
            db.Workspaces.Add(workspace);
        }

        var provider = await db.LlmProviders.FirstOrDefaultAsync(
            p => p.TenantId == workspace.Id && p.Name == ScriptedProviderName,
            cancellationToken
        );
        if (provider is null)
        {
            provider = new LlmProviderRow
            {
                Id = Ids.New(),
                TenantId = workspace.Id,
                Name = ScriptedProviderName,
                Kind = ModelClientFactory.Scripted,
                CreatedAt = now,
            };
            db.LlmProviders.Add(provider);
        }

        var demo = await EnsureAgentAsync(
            db,
            workspace.Id,
            provider.Id,
            DemoAgentName,
            ExecutionMode.Request,
            "Demo: waits one second with phrony_wait, then answers.",
            "You are Skein's demo agent. Take a short pause, then greet the user.",
            [PhronyWaitTool.ToolName],
            [
                new()
                {
                    Text = "Let me take a one-second pause first.",
                    ToolCalls = [new ScriptToolCall(PhronyWaitTool.ToolName, SkeinJson.Parse("""{"seconds":1}"""))],
                },
                new()
                {
                    Text = "Hello from Skein's demo agent: I paused for a second with phrony_wait and now I'm done.",
                },
            ],
            now,
            cancellationToken
        );
        var hitl = await EnsureAgentAsync(
            db,
            workspace.Id,
            provider.Id,
            DemoHitlAgentName,
            ExecutionMode.HITL,
            "Demo: asks a person to approve a refund, then reports what happened.",
            "You are Skein's refunds demo agent. Refunds need a person's approval.",
            [DemoRefundTool.ToolName],
            [
                new()
                {
                    Text = "The customer asked for a refund of 25 EUR for a damaged item; issuing it needs approval.",
                    ToolCalls =
                    [
                        new ScriptToolCall(
                            DemoRefundTool.ToolName,
                            SkeinJson.Parse("""{"amount":25,"currency":"EUR","reason":"damaged item"}""")
                        ),
                    ],
                },
            ],
            now,
            cancellationToken
        );

        await db.SaveChangesAsync(cancellationToken);
        await EnsureDemoKeyAsync(db, workspace.Id, [demo, hitl], cancellationToken);
    }

    /// <summary>An agent with a Deployed v1 and an api trigger, unless an agent of that name exists.</summary>
    private static async Task<ApiKeyStore.Scope> EnsureAgentAsync(
        SkeinDbContext db,
        Guid tenantId,
        Guid providerId,
        string name,
        ExecutionMode mode,
        string description,
        string instructions,
        string[] operations,
        ScriptTurn[] script,
        DateTime now,
        CancellationToken cancellationToken
    )
    {
        var agent = await db.Agents.FirstOrDefaultAsync(
            a => a.TenantId == tenantId && a.Name == name,
            cancellationToken
        );
        if (agent is null)
        {
            agent = new AgentRow
            {
                Id = Ids.New(),
                TenantId = tenantId,
                Name = name,
                ExecutionMode = mode.ToString(),
                LlmProviderId = providerId,
                CreatedAt = now,
            };
            db.Agents.Add(agent);
            db.AgentVersions.Add(
                new AgentVersionRow
                {
                    Id = Ids.New(),
                    AgentId = agent.Id,
                    TenantId = tenantId,
                    Label = "v1",
                    Description = description,
                    State = nameof(VersionState.Deployed),
                    Model = "skein-scripted",
                    Instructions = instructions,
                    Operations = JsonSerializer.Serialize(operations),
                    Script = JsonSerializer.Serialize(script, SkeinJson.Options),
                    CreatedAt = now,
                    DeployedAt = now,
                }
            );
        }

        var trigger = await db.Triggers.FirstOrDefaultAsync(
            t => t.AgentId == agent.Id && t.Type == TriggerTypes.Api,
            cancellationToken
        );
        if (trigger is null)
        {
            trigger = new TriggerRow
            {
                Id = Ids.New(),
                TenantId = tenantId,
                AgentId = agent.Id,
                Name = "api",
                Type = TriggerTypes.Api,
                CreatedAt = now,
            };
            db.Triggers.Add(trigger);
        }

        return new ApiKeyStore.Scope(agent.Id, trigger.Id);
    }

    /// <summary>
    /// The demo key: <c>SKEIN_DEMO_API_KEY</c> when set (so automated set-ups know it), otherwise one
    /// generated on first start, printed once and saved in the data folder for the README's examples.
    /// </summary>
    private async Task EnsureDemoKeyAsync(
        SkeinDbContext db,
        Guid tenantId,
        ApiKeyStore.Scope[] scopes,
        CancellationToken cancellationToken
    )
    {
        var configured = configuration["SKEIN_DEMO_API_KEY"] is { Length: > 0 } value ? value : null;
        var existing = configured is not null
            ? await keys.FindAsync(configured, cancellationToken)
            : await db
                .ApiKeys.Where(k => k.Name == DemoKeyName && k.TenantId == tenantId)
                .Select(k => (Guid?)k.Id)
                .FirstOrDefaultAsync(cancellationToken);
        if (existing is { } id)
        {
            foreach (var scope in scopes)
            {
                await keys.AddScopeAsync(id, scope, cancellationToken);
            }

            return;
        }

        var created = await keys.CreateAsync(
            tenantId,
            DemoKeyName,
            scopes,
            allowFileUploads: true,
            configured,
            cancellationToken
        );
        if (configured is not null)
        {
            return;
        }

        var file = Path.Combine(options.DataDirectory, "demo-api-key");
        await File.WriteAllTextAsync(file, created.Secret, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Log.DemoKeyGenerated(logger, DemoAgentName, file);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 1031,
            Level = LogLevel.Information,
            Message = "Demo API key for agent '{Agent}' generated and saved in {File} (owner-only)"
        )]
        public static partial void DemoKeyGenerated(ILogger logger, string agent, string file);
    }
}
