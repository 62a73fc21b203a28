using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skein.Application.Agents;
using Skein.Application.Providers;
using Skein.Application.Triggers;
using Skein.Application.Versions;
using Skein.Application.Workspaces;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Triggers;
using Skein.Engine.Models;
using Skein.Store;
using Skein.Store.ApiKeys;

namespace Skein.Application.Seeding;

/// <summary>Where the demo seeder saves a generated demo API key (the server's data folder).</summary>
public sealed record DemoSeedOptions(string DataDirectory);

/// <summary>
/// First start: the default workspace, the built-in scripted provider, the demo agents of <see cref="DemoAgents"/>
/// (<c>demo</c>, <c>demo-hitl</c>, and the <c>demo-team</c> / <c>demo-researcher</c> pair), each with a Deployed
/// version and, unless a sub-agent, an api trigger, and a demo API key for those triggers. Every write goes through
/// the application services (so the seed obeys the same rules and leaves the same audit trail as an operator).
/// Idempotent: anything already there by name is left as it is. The server registers it after the migrator and
/// before the engine (hosted services start in registration order).
/// </summary>
public sealed partial class DemoSeeder(
    IDbContextFactory<SkeinDbContext> contexts,
    WorkspaceSettingsService workspaces,
    ProviderService providers,
    AgentService agents,
    VersionService versions,
    TriggerService triggers,
    ApiKeyStore keys,
    IConfiguration configuration,
    DemoSeedOptions options,
    ILogger<DemoSeeder> logger
) : IHostedService
{
    public const string DemoAgentName = DemoAgents.Demo;
    public const string ScriptedProviderName = "scripted";
    public const string DemoKeyName = "demo";
    public const string DemoHitlAgentName = DemoAgents.DemoHitl;

    private static readonly Actor Seed = Actor.Seed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var tenantId = await workspaces.EnsureDefaultAsync(Seed, cancellationToken);
        var providerId = await EnsureScriptedProviderAsync(cancellationToken);
        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var scopes = new List<ApiKeyStore.Scope>();

        // Sub-agents first: a parent's version lists them by id.
        foreach (var demo in DemoAgents.All)
        {
            var agentId = await EnsureAgentAsync(demo, providerId, ids, cancellationToken);
            ids[demo.Name] = agentId;
            if (demo.Mode != ExecutionMode.SubAgent)
            {
                scopes.Add(await EnsureApiTriggerAsync(agentId, cancellationToken));
            }
        }

        await EnsureDemoKeyAsync(tenantId, scopes, cancellationToken);
    }

    private async Task<Guid> EnsureScriptedProviderAsync(CancellationToken cancellationToken)
    {
        var existing = (await providers.ListAsync(cancellationToken)).FirstOrDefault(p =>
            p.Name == ScriptedProviderName
        );
        return existing?.Id
            ?? Must(
                await providers.CreateAsync(
                    Seed,
                    new ProviderChange(ScriptedProviderName, ModelClientFactory.Scripted, null, null, null, null),
                    cancellationToken
                )
            ).Id;
    }

    /// <summary>The agent with a Deployed v1, unless an agent of that name exists (then it is left as it is).</summary>
    private async Task<Guid> EnsureAgentAsync(
        DemoAgent demo,
        Guid providerId,
        IReadOnlyDictionary<string, Guid> ids,
        CancellationToken cancellationToken
    )
    {
        if ((await agents.ListAsync(cancellationToken)).FirstOrDefault(a => a.Name == demo.Name) is { } existing)
        {
            return existing.Id;
        }

        var agent = Must(
            await agents.CreateAsync(Seed, new NewAgent(demo.Name, demo.Mode.ToString(), providerId), cancellationToken)
        );
        var version = Must(await versions.CreateAsync(Seed, agent.Id, null, demo.Version(ids), cancellationToken));
        Must(await versions.DeployAsync(Seed, agent.Id, version.Id, cancellationToken));
        return agent.Id;
    }

    private async Task<ApiKeyStore.Scope> EnsureApiTriggerAsync(Guid agentId, CancellationToken cancellationToken)
    {
        var existing = Must(await triggers.ListAsync(agentId, cancellationToken))
            .FirstOrDefault(t => t.Type == TriggerTypes.Api);
        var trigger = existing
            ?? Must(
                await triggers.PutApiAsync(
                    agentId,
                    new ApiTriggerBody("api", null, null, null, null, null),
                    Seed,
                    cancellationToken
                )
            );
        return new ApiKeyStore.Scope(agentId, trigger.Id);
    }

    /// <summary>
    /// The demo key: <c>SKEIN_DEMO_API_KEY</c> when set (so automated set-ups know it), otherwise one
    /// generated on first start, printed once and saved in the data folder for the README's examples. Kept on the
    /// key store: only the seed chooses a key's secret.
    /// </summary>
    private async Task EnsureDemoKeyAsync(
        Guid tenantId,
        IReadOnlyList<ApiKeyStore.Scope> scopes,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
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

    /// <summary>A seed the services refuse is a bug in the seed, not a state to run in.</summary>
    private static T Must<T>(Result<T> result) =>
        result.IsSuccess
            ? result.Value
            : throw new InvalidOperationException($"demo seed refused: {result.Error.Code}: {result.Error.Message}");

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
