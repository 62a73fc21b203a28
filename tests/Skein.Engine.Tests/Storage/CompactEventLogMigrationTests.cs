using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Store;
using Skein.Store.EventLog;
using Skein.Store.Rows;
using Skein.Store.Sessions;
using Skein.Testing.Stores;

namespace Skein.Engine.Tests.Storage;

/// <summary>
/// A session stored before the compact event log (whole events with their start context and steps, step contents
/// with their envelope) reads back the same after the migration: the same replayed state, the same step contents.
/// </summary>
public class CompactEventLogMigrationTests
{
    protected virtual StoreKind StoreKind => StoreKind.Sqlite;

    [Fact]
    public async Task A_session_stored_in_the_whole_event_format_replays_and_reads_the_same_after_the_migration()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = await TestStore.CreateAsync(StoreKind, ct);
        await using var provider = store.AddTo(new ServiceCollection().AddLogging()).BuildServiceProvider();
        var dialect = provider.GetRequiredService<IStoreDialect>();
        var contexts = provider.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var migrator = db.GetService<IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        await migrator.MigrateAsync(
            migrations[migrations.FindIndex(m => m.EndsWith("_CompactEventLog", StringComparison.Ordinal)) - 1],
            ct
        );

        var events = OldSession();
        var state = SessionFold.Replay(events);
        var contents = new List<string>();
        await using (var writer = await contexts.CreateDbContextAsync(ct))
        {
            var connection = writer.Database.GetDbConnection();
            await connection.OpenAsync(ct);
            // Only the columns this older schema has: later migrations add columns (tags, fork origin, cost…).
            async Task InsertAsync(
                string table,
                IReadOnlyList<KeyValuePair<string, object?>> row,
                CancellationToken token
            )
            {
                var existing = new HashSet<string>(StringComparer.Ordinal);
                await using (var probe = connection.CreateCommand())
                {
                    probe.CommandText = $"SELECT * FROM {table} WHERE 1 = 0";
                    await using var reader = await probe.ExecuteReaderAsync(token);
                    for (var c = 0; c < reader.FieldCount; c++)
                    {
                        existing.Add(reader.GetName(c));
                    }
                }

                await InsertRowAsync(connection, dialect, table, [.. row.Where(c => existing.Contains(c.Key))], token);
            }

            await InsertAsync(SessionRow.Map.Table, SessionRow.Map.Read(state), ct);
            await InsertAsync(SessionRow.StartContextMap.Table, SessionRow.StartContextMap.Read(state), ct);
            await InsertAsync(RunRow.Map.Table, RunRow.Map.Read(new RunOf(state, state.RootRun)), ct);
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                await InsertAsync(
                    "session_events",
                    [
                        new("session_id", state.Id),
                        new("sequence", i + 1L),
                        new("run_id", e.RunIdOrNull),
                        new("tenant_id", state.TenantId),
                        new("type", e.TypeName),
                        new("data", JsonSerializer.Serialize(e, SkeinJson.Options)),
                        new("actor", e.Actor),
                        new("occurred_at", e.At),
                    ],
                    ct
                );
                if (e is StepAppended { Step: var step })
                {
                    var content = StepContent.ToJson(step, state, state.RootRun);
                    contents.Add(content);
                    await InsertAsync(
                        "steps",
                        [
                            new("id", step.Id),
                            new("run_id", step.RunId),
                            new("session_id", state.Id),
                            new("tenant_id", state.TenantId),
                            new("sequence", (long)step.Sequence),
                            new("event_sequence", i + 1L),
                            new("type", step.Type),
                            new("content", content),
                            new("tokens_used", step.TokensUsed),
                            new("error", step.Error),
                            new("started_at", step.StartedAt),
                            new("finished_at", step.FinishedAt),
                        ],
                        ct
                    );
                }
            }
        }

        await migrator.MigrateAsync(cancellationToken: ct);

        var replayed = await new EventLogReader(contexts).LoadAsync(state.Id, ct);
        Assert.NotNull(replayed);
        Assert.Equal(state.Version, replayed.Version);
        Assert.Equal(state.Status, replayed.Status);
        Assert.Equal(state.StartContext.Version.AgentName, replayed.StartContext.Version.AgentName);
        Assert.Equal(
            state.RootRun.Steps.Select(s => StepContent.PayloadJson(s.Payload)),
            replayed.RootRun.Steps.Select(s => StepContent.PayloadJson(s.Payload))
        );
        var detail = await new SessionQueries(contexts).GetAsync(state.Id, ct);
        Assert.Equal(contents, detail!.Steps.Select(s => s.Content));
    }

    /// <summary>A completed run with a tool call, decided by the Core rules.</summary>
    private static List<SessionEvent> OldSession()
    {
        var at = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var version = new VersionSnapshot
        {
            AgentId = Ids.New(at),
            AgentName = "kept-agent",
            ExecutionMode = ExecutionMode.Request,
            AgentVersionId = Ids.New(at),
            VersionLabel = "v1",
            LlmProviderId = Ids.New(at),
            ProviderKind = "scripted",
            Model = "skein-scripted",
            Instructions = "You are a test agent.",
            Operations = ["skein_echo"],
        };
        var input = JsonSerializer.SerializeToElement(new { question = "weather?" });
        var start = SessionDecider.Start(
            new StartSession(
                Ids.New(at),
                Ids.New(at),
                Ids.New(at),
                TriggerType.Api,
                "key",
                null,
                null,
                new StartContext(version, input),
                at
            )
        );
        var events = new List<SessionEvent>(start.Events);
        var state = start.Current;
        var runId = state.RootRunId;
        var args = JsonSerializer.SerializeToElement(new { city = "Lisbon" });
        StepPayload[] payloads =
        [
            new LlmRequestPrepared("skein-scripted") { Iteration = 1 },
            new ToolCallStep("skein_echo", args, "call_0_0", "skein_echo", $"{runId:N}:2") { Iteration = 1 },
            new ToolResultStep("call_0_0", ToolResultBody.Ok(args)) { Iteration = 1 },
            new OutputStep(JsonSerializer.SerializeToElement("sunny"), 4, 4) { Iteration = 1 },
        ];
        foreach (var payload in payloads)
        {
            var change = new SessionChange(state);
            SessionDecider.AppendStep(change, runId, new StepDraft(payload), at.AddSeconds(1), "engine");
            if (payload is OutputStep output)
            {
                SessionDecider.MoveRun(
                    change,
                    runId,
                    new RunTransition(RunStatus.Completed) { Output = output.Output, Reason = "output" },
                    at.AddSeconds(2),
                    "engine"
                );
            }

            events.AddRange(change.Events);
            state = change.Current;
        }

        return events;
    }

    /// <summary>One row as the store keeps it (<see cref="IStoreDialect.IdValue"/>).</summary>
    private static async Task InsertRowAsync(
        DbConnection connection,
        IStoreDialect dialect,
        string table,
        IReadOnlyList<KeyValuePair<string, object?>> row,
        CancellationToken ct
    )
    {
        await using var insert = connection.CreateCommand();
        insert.CommandText =
            $"INSERT INTO {table} ({string.Join(", ", row.Select(c => c.Key))}) "
            + $"VALUES ({string.Join(", ", row.Select(c => "@" + c.Key))})";
        foreach (var (name, value) in row)
        {
            var p = insert.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value switch
            {
                null => DBNull.Value,
                Guid id => dialect.IdValue(id),
                DateTimeOffset at => dialect.InstantValue(at.UtcDateTime),
                _ => value,
            };
            insert.Parameters.Add(p);
        }

        await insert.ExecuteNonQueryAsync(ct);
    }
}

public sealed class CompactEventLogMigrationTestsOnPostgres : CompactEventLogMigrationTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}
