using System.Text.Json;
using Skein.Core.Agents;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Engine.Tests;

/// <summary>
/// Each test gets its own store (a SQLite file, or a PostgreSQL database in the <c>OnPostgres</c> variants);
/// hosts on that store can be started and stopped (restarts).
/// </summary>
public abstract class EngineTestBase : IAsyncLifetime
{
    private readonly List<EngineTestHost> _hosts = [];

    /// <summary>Which store the test runs on; the <c>OnPostgres</c> subclasses override it.</summary>
    protected virtual StoreKind StoreKind => StoreKind.Sqlite;

    protected TestStore Store { get; private set; } = null!;

    protected EngineTestHost Host { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync()
    {
        Store = await TestStore.CreateAsync(StoreKind, TestContext.Current.CancellationToken);
        Host = await StartHostAsync();
    }

    protected async Task<EngineTestHost> StartHostAsync(
        TimeProvider? time = null,
        Action<EngineOptions>? configure = null
    )
    {
        var host = await EngineTestHost.StartAsync(Store, time, configure);
        _hosts.Add(host);
        return host;
    }

    /// <summary>Stops the current host and starts another on the same database: a restart.</summary>
    protected async Task<EngineTestHost> RestartAsync(TimeProvider? time = null)
    {
        await Host.DisposeAsync();
        _hosts.Remove(Host);
        Host = await StartHostAsync(time);
        return Host;
    }

    protected async Task UseHostAsync(TimeProvider? time = null, Action<EngineOptions>? configure = null)
    {
        await Host.DisposeAsync();
        _hosts.Remove(Host);
        Host = await StartHostAsync(time, configure);
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        if (Store is not null)
        {
            await Store.DisposeAsync();
        }
    }

    protected static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    protected static ScriptTurn Calls(params (string Tool, object Args)[] calls) =>
        new()
        {
            Text = "calling",
            ToolCalls = [.. calls.Select(c => new ScriptToolCall(c.Tool, Json(c.Args)))],
            InputTokens = 1,
            OutputTokens = 1,
        };

    protected static ScriptTurn Says(string text, int tokens = 2) =>
        new()
        {
            Text = text,
            InputTokens = tokens / 2,
            OutputTokens = tokens - (tokens / 2),
        };

    protected static JsonElement Content(Store.Rows.StepRow step) =>
        JsonDocument.Parse(step.Content).RootElement.Clone();
}
