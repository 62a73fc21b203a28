using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Skein.Testing.Stores;

namespace Skein.Bench.Api;

/// <summary>
/// Bulk-inserts finished sessions for one agent with one set-based statement (generate_series on PostgreSQL, a
/// recursive CTE on SQLite): 90 % Completed, 8 % Failed, 2 % Terminated, one second apart, older than any real
/// session, in transactions of 100,000 with progress. Each copies the start context of a real session of the agent
/// (the list shows parts of it).
/// </summary>
public static class SessionSeeder
{
    private const int Chunk = 100_000;

    private const string Columns =
        "INSERT INTO sessions (id, tenant_id, agent_id, agent_version_id, llm_model, trigger_type, trigger_id, "
        + "triggered_by, "
        + "status, total_tokens_used, "
        + "output, input, root_run_id, entry_run_id, run_count, started_at, finished_at) ";

    private const string Status =
        "CASE WHEN i % 100 < 90 THEN 'Completed' WHEN i % 100 < 98 THEN 'Failed' ELSE 'Terminated' END";

    public static Task SeedAsync(BenchServer server, Guid agentId, int count, CancellationToken cancellationToken) =>
        SeedAsync(server, agentId, count, "'{}'", cancellationToken);

    /// <summary>As above, with each session's input computed by <paramref name="inputSql"/> (SQL over the row number
    /// <c>i</c>, e.g. to give the search bench words to find).</summary>
    public static async Task SeedAsync(
        BenchServer server,
        Guid agentId,
        int count,
        string inputSql,
        CancellationToken cancellationToken
    )
    {
        await using var db = await server.Contexts.CreateDbContextAsync(cancellationToken);
        // The template's trigger too: a key reads only sessions its (agent, trigger) pairs started.
        var template = await db
            .Sessions.AsNoTracking()
            .Where(x => x.AgentId == agentId)
            .Select(x => new { x.StartContext, x.TriggerId })
            .FirstAsync(cancellationToken);
        var startContext = template.StartContext;
        var trigger = template.TriggerId ?? throw new InvalidOperationException("the template session has no trigger");
        var agent = await db.Agents.AsNoTracking().SingleAsync(a => a.Id == agentId, cancellationToken);
        var version = await db
            .AgentVersions.AsNoTracking()
            .Where(v => v.AgentId == agentId)
            .Select(v => v.Id)
            .FirstAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandTimeout = 600;
        if (server.Store == StoreKind.Sqlite)
        {
            // Random ids land all over the id index: a page cache that holds it keeps the inserts off the disk.
            command.CommandText = "PRAGMA cache_size = -524288";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (server.Store == StoreKind.Postgres)
        {
            command.CommandText =
                Columns
                + "SELECT gen_random_uuid(), @tenant, @agent, @version, 'skein-scripted', 'api', @trigger, 'bench', "
                + Status
                + ", 20, '\"ok\"', "
                + inputSql
                + ", "
                + "gen_random_uuid(), gen_random_uuid(), 1, timestamptz '2020-01-01' + i * interval '1 second', "
                + "timestamptz '2020-01-01' + i * interval '1 second' "
                + "FROM generate_series(@first, @last) AS i";
            Add(command, "tenant", agent.TenantId);
            Add(command, "agent", agentId);
            Add(command, "version", version);
            Add(command, "trigger", trigger);
        }
        else
        {
            // The TEXT forms EF Core stores on SQLite: uppercase ids and 'yyyy-MM-dd HH:mm:ss' instants.
            const string uuid =
                "upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || "
                + "'-8' || "
                + "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";
            const string at = "strftime('%Y-%m-%d %H:%M:%S', 1577836800 + i, 'unixepoch')";
            command.CommandText =
                "WITH RECURSIVE n(i) AS (SELECT @first UNION ALL SELECT i + 1 FROM n WHERE i < @last) "
                + Columns
                + $"SELECT {uuid}, @tenant, @agent, @version, 'skein-scripted', 'api', @trigger, 'bench', "
                + $"{Status}, 20, "
                + $"'\"ok\"', {inputSql}, {uuid}, {uuid}, 1, {at}, {at} FROM n";
            Add(command, "tenant", agent.TenantId.ToString("D").ToUpperInvariant());
            Add(command, "agent", agentId.ToString("D").ToUpperInvariant());
            Add(command, "version", version.ToString("D").ToUpperInvariant());
            Add(command, "trigger", trigger.ToString("D").ToUpperInvariant());
        }

        // Large transactions of their own (the search index filled by the product's triggers in each), with
        // progress: a million sessions take minutes.
        var first = Add(command, "first", 1);
        var last = Add(command, "last", 1);
        var clock = Stopwatch.StartNew();
        for (var from = 1; from <= count; from += Chunk)
        {
            first.Value = from;
            last.Value = Math.Min(count, from + Chunk - 1);
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                command.Transaction = transaction;
                await command.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            command.Transaction = null;
            if (count > Chunk)
            {
                Progress(clock, $"{(int)last.Value:N0} of {count:N0} sessions");
            }
        }

        // Each seeded session gets the real session's frozen start context (its own table, see docs/architecture.md).
        command.Parameters.Clear();
        command.CommandText =
            "INSERT INTO session_start_contexts (session_id, start_context) SELECT s.id, @context FROM sessions s "
            + "WHERE NOT EXISTS (SELECT 1 FROM session_start_contexts c WHERE c.session_id = s.id)";
        Add(command, "context", startContext);
        await command.ExecuteNonQueryAsync(cancellationToken);
        Progress(clock, "start contexts");

        // The sessions went in around the append path, so their counts (the lists' totals) are recomputed once.
        await Skein.Store.Sessions.SessionCountRebuild.RebuildAsync(db, cancellationToken);
        Progress(clock, "session counts");

        // Fresh statistics (and, on PostgreSQL, a visibility map for index-only counts), as a live database has,
        // the search index's too (on PostgreSQL the word frequencies the planner chooses a search plan by).
        command.Parameters.Clear();
        foreach (
            var statement in server.Store == StoreKind.Postgres
                ? new[] { "VACUUM ANALYZE sessions", "VACUUM ANALYZE session_search" }
                : ["ANALYZE"]
        )
        {
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        Progress(clock, "statistics");
    }

    private static void Progress(Stopwatch clock, string done) =>
        Console.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"  seeded {done} at {clock.Elapsed.TotalSeconds:0.0} s")
        );

    private static DbParameter Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = "@" + name;
        p.Value = value;
        command.Parameters.Add(p);
        return p;
    }
}
