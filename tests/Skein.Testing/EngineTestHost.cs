using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Skein.Core.Sessions;
using Skein.Engine;
using Skein.Engine.Runs;
using Skein.Engine.Sessions;
using Skein.Store;
using Skein.Store.Secrets;
using Skein.Store.Sessions;
using Skein.Store.Sqlite;
using Skein.Testing.Stores;

namespace Skein.Testing;

/// <summary>
/// The real engine over a real store (a SQLite file or a PostgreSQL database), in a generic host: what the server runs
/// minus HTTP.
/// Two hosts started one after the other on the same store are a restart.
/// </summary>
public sealed class EngineTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private EngineTestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;
    public RunStarter Starter => Services.GetRequiredService<RunStarter>();
    public SessionActions Actions => Services.GetRequiredService<SessionActions>();
    public SessionQueries Queries => Services.GetRequiredService<SessionQueries>();
    public RunSupervisor Timers => Services.GetRequiredService<RunSupervisor>();
    public SecretStore Secrets => Services.GetRequiredService<SecretStore>();
    public IDbContextFactory<SkeinDbContext> Contexts =>
        Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();

    public static Task<EngineTestHost> StartAsync(
        string databasePath,
        TimeProvider? time = null,
        Action<EngineOptions>? configure = null
    ) =>
        StartAsync(
            s => s.AddSkeinSqliteStore(databasePath),
            Path.Combine(Path.GetDirectoryName(Path.GetFullPath(databasePath)) ?? ".", "keys"),
            time,
            configure
        );

    /// <summary>The engine on a throwaway store of either kind (<see cref="TestStore"/>).</summary>
    public static Task<EngineTestHost> StartAsync(
        TestStore store,
        TimeProvider? time = null,
        Action<EngineOptions>? configure = null
    ) => StartAsync(s => store.AddTo(s), store.KeyRingDirectory, time, configure);

    private static async Task<EngineTestHost> StartAsync(
        Action<IServiceCollection> addStore,
        string keyRingDirectory,
        TimeProvider? time,
        Action<EngineOptions>? configure
    )
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        addStore(builder.Services);

        // Secrets survive a restart on the same database only with the same key ring.
        builder
            .Services.AddDataProtection()
            .SetApplicationName("skein-tests")
            .PersistKeysToFileSystem(new DirectoryInfo(keyRingDirectory));
        builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.AddSkeinEngine();

        // The tests' integrations and model fakes listen on 127.0.0.1: they opt in to private destinations.
        builder.Services.Configure<Skein.Engine.Egress.EgressOptions>(o => o.AllowPrivateNetworks = true);
        builder.Services.Configure<EngineOptions>(o =>
        {
            // With a fake clock the tests drive timers themselves (RunSupervisor.WakeDueAsync).
            o.TimerPollInterval = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(o);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new EngineTestHost(host);
    }

    public async Task<CreatedAgent> CreateAgentAsync(AgentSpec spec)
    {
        if (spec.ProviderApiKey is not { } key)
        {
            return await TestData.CreateAgentAsync(Contexts, spec, CancellationToken.None);
        }

        var secretName = spec.ProviderApiKeySecretName ?? $"provider-key-{spec.Name}";
        var created = await TestData.CreateAgentAsync(
            Contexts,
            spec with
            {
                ProviderApiKeySecretName = secretName,
            },
            CancellationToken.None
        );
        await Secrets.SetAsync(created.TenantId, secretName, key, CancellationToken.None);
        return created;
    }

    public Task AddOperationAsync(OperationSpec spec) =>
        TestData.AddOperationAsync(Contexts, spec, CancellationToken.None);

    public Task<StartedRun> StartRunAsync(Guid agentId, object? input = null, Guid? versionId = null) =>
        Starter.StartAsync(
            new StartRunRequest(
                agentId,
                input is null ? null : JsonSerializer.SerializeToElement(input),
                TriggerType.Console,
                "test"
            )
            {
                VersionId = versionId,
            },
            CancellationToken.None
        );

    /// <summary>
    /// Waits until no driver runs the run on this host. A parked run's status is visible once committed, a moment
    /// before its driver gives its lease back, and a due wait is woken only by whoever can claim that lease: a test
    /// that fires a wake-up by hand must wait for this first.
    /// </summary>
    public Task WaitForDriverToLeaveAsync(Guid runId) =>
        Eventually.Get(
            () => Task.FromResult(!Services.GetRequiredService<RunDispatcher>().IsActive(runId)),
            left => left,
            what: $"run {runId}'s driver to leave"
        );

    public Task<SessionDetail> WaitForStatusAsync(Guid sessionId, params string[] statuses) =>
        Eventually.Get(
            async () => (await Queries.GetAsync(sessionId, CancellationToken.None))!,
            d => d is not null && statuses.Contains(d.Session.Status),
            what: $"session {sessionId} to reach {string.Join("|", statuses)}"
        );

    public async Task<SessionDetail> RunToEndAsync(Guid agentId, object? input = null)
    {
        var started = await StartRunAsync(agentId, input);
        return await WaitForStatusAsync(started.SessionId, "Completed", "Failed", "Terminated");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>A FakeTimeProvider that starts at a fixed, readable instant.</summary>
public static class TestClock
{
    public static FakeTimeProvider Create() => new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
}
