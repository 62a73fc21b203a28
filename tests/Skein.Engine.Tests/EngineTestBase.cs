using System.Text.Json;
using Skein.Core.Agents;
using Skein.Testing;

namespace Skein.Engine.Tests;

/// <summary>Each test class gets its own SQLite file; hosts on that file can be started and stopped (restarts).</summary>
public abstract class EngineTestBase : IAsyncLifetime
{
    private readonly List<EngineTestHost> _hosts = [];

    protected TempDirectory Dir { get; } = new();

    protected string DatabasePath => Dir.File("skein.db");

    protected EngineTestHost Host { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync() => Host = await StartHostAsync();

    protected async Task<EngineTestHost> StartHostAsync(TimeProvider? time = null, Action<EngineOptions>? configure = null)
    {
        var host = await EngineTestHost.StartAsync(DatabasePath, time, configure);
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

        Dir.Dispose();
    }

    protected static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    protected static ScriptTurn Calls(params (string Tool, object Args)[] calls) =>
        new() { Text = "calling", ToolCalls = [.. calls.Select(c => new ScriptToolCall(c.Tool, Json(c.Args)))], InputTokens = 1, OutputTokens = 1 };

    protected static ScriptTurn Says(string text, int tokens = 2) => new() { Text = text, InputTokens = tokens / 2, OutputTokens = tokens - (tokens / 2) };

    protected static JsonElement Content(Store.Rows.StepRow step) => JsonDocument.Parse(step.Content).RootElement.Clone();
}
