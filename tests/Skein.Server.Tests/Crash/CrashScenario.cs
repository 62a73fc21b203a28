using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Server.Api.Admin;
using Skein.Server.Api.Contracts;
using Skein.Store;
using Skein.Store.Sessions;
using Skein.Store.Sqlite;
using Skein.Testing;

namespace Skein.Server.Tests.Crash;

/// <summary>
/// One crash test's world: a data directory, the server as a child process over it (killed and started
/// again by the test), the store file opened from the test process, and the receiver the tool calls.
/// </summary>
internal sealed class CrashScenario : IAsyncDisposable
{
    public const string PayOperation = "pay";
    public const string FinalText = "paid";
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private const string AdminToken = "skein-crash-test-token";
    private static readonly string[] Finished = ["Completed", "Failed", "Terminated"];

    private readonly TempDirectory _dir = new("skein-crash");
    private readonly List<ServerProcess> _servers = [];
    private readonly ServiceProvider _store;

    private CrashScenario(OperationReceiver receiver)
    {
        Receiver = receiver;

        // Nothing connects until first use, which comes after the server has migrated the file.
        _store = new ServiceCollection()
            .AddSkeinSqliteStore(Path.Combine(_dir.Path, "skein.db"))
            .BuildServiceProvider();
    }

    public OperationReceiver Receiver { get; }

    public ServerProcess Server => _servers[^1];

    public IDbContextFactory<SkeinDbContext> Contexts => _store.GetRequiredService<IDbContextFactory<SkeinDbContext>>();

    /// <summary>Starts the receiver and a first server; the server migrates the database file.</summary>
    public static async Task<CrashScenario> StartAsync(CancellationToken cancellationToken)
    {
        var scenario = new CrashScenario(await OperationReceiver.StartAsync(cancellationToken));
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

    /// <summary>A new server process on the same data directory; the previous one must be dead.</summary>
    public async Task<ServerProcess> StartServerAsync(CancellationToken cancellationToken)
    {
        if (_servers.Count > 0 && !Server.HasExited)
        {
            throw new InvalidOperationException("the previous server process is still running");
        }

        var server = await ServerProcess.StartAsync(_dir.Path, AdminToken, cancellationToken, Deadline);
        _servers.Add(server);
        return server;
    }

    /// <summary>An agent whose turn 0 calls <c>pay</c> on the receiver and whose turn 1 answers <see
    /// cref="FinalText"/>.</summary>
    public async Task<CreatedAgent> CreatePayingAgentAsync(
        bool idempotent,
        int finalTurnDelayMs,
        CancellationToken cancellationToken
    )
    {
        await TestData.AddOperationAsync(
            Contexts,
            new OperationSpec(PayOperation, Receiver.BaseUrl, Path: "/payments") { Idempotent = idempotent },
            cancellationToken
        );
        return await TestData.CreateAgentAsync(
            Contexts,
            new AgentSpec
            {
                Operations = [PayOperation],
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "paying",
                        ToolCalls =
                        [
                            new ScriptToolCall(
                                PayOperation,
                                JsonSerializer.SerializeToElement(new { amount = 42, currency = "EUR" })
                            ),
                        ],
                    },
                    new ScriptTurn { Text = FinalText, DelayMs = finalTurnDelayMs },
                ],
            },
            cancellationToken
        );
    }

    public async Task<AgentAdminEndpoints.StartRunResponse> StartRunAsync(
        Guid agentId,
        CancellationToken cancellationToken
    )
    {
        using var response = await Server.Client.PostAsJsonAsync(
            $"/api/agents/{agentId}/runs",
            new { input = new { order = "o-1" } },
            cancellationToken
        );
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

    /// <summary>Polls the admin API of the current server until <paramref name="done"/> holds.</summary>
    public async Task<SessionDetailDto> WaitForSessionAsync(
        Guid sessionId,
        Func<SessionDetailDto, bool> done,
        string what,
        CancellationToken cancellationToken
    )
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
                done,
                Deadline,
                what
            );
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nServer output:\n{Server.Output}", ex);
        }
    }

    public Task<SessionDetailDto> WaitForEndAsync(Guid sessionId, CancellationToken cancellationToken) =>
        WaitForSessionAsync(
            sessionId,
            d => Finished.Contains(d.Session.Status),
            $"session {sessionId} to finish",
            cancellationToken
        );

    /// <summary>The session as committed in the file, read from the test process while no server runs.</summary>
    public async Task<SessionDetail> StoredAsync(Guid sessionId, CancellationToken cancellationToken) =>
        await new SessionQueries(Contexts).GetAsync(sessionId, cancellationToken)
        ?? throw new InvalidOperationException($"session {sessionId} is not in the store");

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
        await Receiver.DisposeAsync();
        _dir.Dispose();
    }
}
