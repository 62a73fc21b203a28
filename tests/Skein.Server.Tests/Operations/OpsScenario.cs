using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Server.Api.Admin;
using Skein.Server.Api.Contracts;
using Skein.Store;
using Skein.Store.Sqlite;
using Skein.Testing;

namespace Skein.Server.Tests.Operations;

/// <summary>
/// One operations test's world: a data directory, the built server as a child process over it (with the
/// environment the test gives, e.g. <c>OTEL_*</c>), and the SQLite file opened from the test for seeding agents.
/// </summary>
internal sealed class OpsScenario : IAsyncDisposable
{
    public const string AdminToken = "skein-ops-test-token";
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private static readonly string[] Finished = ["Completed", "Failed", "Terminated"];

    private readonly TempDirectory _dir = new("skein-ops");
    private readonly List<ServerProcess> _servers = [];
    private readonly ServiceProvider _store;
    private readonly IReadOnlyDictionary<string, string> _environment;

    private OpsScenario(IReadOnlyDictionary<string, string> environment)
    {
        _environment = environment;
        _store = new ServiceCollection()
            .AddSkeinSqliteStore(Path.Combine(_dir.Path, "skein.db"))
            .BuildServiceProvider();
    }

    public ServerProcess Server => _servers[^1];

    public IDbContextFactory<SkeinDbContext> Contexts => _store.GetRequiredService<IDbContextFactory<SkeinDbContext>>();

    public static async Task<OpsScenario> StartAsync(
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken
    )
    {
        var scenario = new OpsScenario(environment ?? new Dictionary<string, string>());
        try
        {
            await scenario.StartServerAsync(cancellationToken);
            return scenario;
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new server process on the same data directory (the previous one must have exited).</summary>
    public async Task<ServerProcess> StartServerAsync(CancellationToken cancellationToken)
    {
        var server = await ServerProcess.StartAsync(_dir.Path, AdminToken, cancellationToken, Deadline, _environment);
        _servers.Add(server);
        return server;
    }

    public async Task<AgentAdminEndpoints.StartRunResponse> StartRunAsync(
        Guid agentId,
        CancellationToken cancellationToken,
        string? traceParent = null
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/agents/{agentId}/runs")
        {
            Content = JsonContent.Create(new { input = new { order = "o-1" } }),
        };
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }

        using var response = await Server.Client.SendAsync(request, cancellationToken);
        Assert.True(
            response.StatusCode == HttpStatusCode.Accepted,
            $"start run answered {(int)response.StatusCode}: "
                + $"{await response.Content.ReadAsStringAsync(cancellationToken)}"
        );
        return await response.Content.ReadFromJsonAsync<AgentAdminEndpoints.StartRunResponse>(
            JsonSerializerOptions.Web,
            cancellationToken
        ) ?? throw new InvalidOperationException("start run answered an empty body");
    }

    public async Task<SessionDetailDto> WaitForEndAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        try
        {
            return await Eventually.Get(
                async () =>
                    await Server.Client.GetFromJsonAsync<SessionDetailDto>(
                        $"/api/sessions/{sessionId}",
                        JsonSerializerOptions.Web,
                        cancellationToken
                    ) ?? throw new InvalidOperationException($"session {sessionId} answered an empty body"),
                d => Finished.Contains(d.Session.Status),
                Deadline,
                $"session {sessionId} to finish"
            );
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nServer output:\n{Server.Output}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            var id = server.ProcessId;
            server.Dispose();
            TestContext.Current.TestOutputHelper?.WriteLine($"--- server process {id} ---\n{server.Output}");
        }

        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
