using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Skein.Testing.Stores;

namespace Skein.Bench.Api;

/// <summary>
/// dashboard-home: the Home page's first page with 1,000,000 sessions in the store (docs/performance.md).
/// Seeds sessions straight into the server's SQLite file, signs in as admin, then times GET / (and the
/// filtered and deep-page variants). Reports the server's time (Server-Timing <c>total</c>: queries and
/// rendering, until the response starts), the page's queries alone (<c>data</c>), and the whole request as
/// the client sees it over loopback.
/// </summary>
public static partial class DashboardHomeBench
{
    private const string Password = "bench-dashboard-password";

    public static async Task<bool> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var sessions = args.Int("sessions", args.Smoke ? 20_000 : 1_000_000);
        var requests = args.Int("requests", args.Smoke ? 20 : 300);
        await using var server = await BenchServer.StartAsync(
            StoreKind.Sqlite,
            cancellationToken,
            new Dictionary<string, string> { ["SKEIN_ADMIN_PASSWORD"] = Password }
        );
        var seeding = Stopwatch.StartNew();
        var (agentA, agentB) = await SeedAsync(server, sessions, cancellationToken);
        Console.WriteLine($"dashboard-home: seeded {sessions:N0} sessions in {seeding.Elapsed.TotalSeconds:0.0} s");

        using var client = await SignInAsync(server.BaseAddress, cancellationToken);
        var ok = true;
        var deep = await DeepCursorAsync(client, cancellationToken);
        foreach (
            var (name, path) in new[]
            {
                ("first page", "/"),
                ("status filter", "/?status=WaitingForTimer"),
                ("agent filter", $"/?agentId={agentB}"),
                ("agent + status", $"/?agentId={agentA}&status=Failed"),
                ("deep page (keyset)", "/?after=" + deep),
            }
        )
        {
            ok &= await MeasureAsync(client, name, path, requests, cancellationToken);
        }

        return ok;
    }

    private static async Task<bool> MeasureAsync(
        HttpClient client,
        string name,
        string path,
        int requests,
        CancellationToken cancellationToken
    )
    {
        for (var i = 0; i < Math.Max(5, requests / 10); i++)
        {
            using var warm = await client.GetAsync(path, cancellationToken);
        }

        var total = new List<double>(requests);
        var data = new List<double>(requests);
        var server = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync(path, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            total.Add(clock.Elapsed.TotalMilliseconds);
            if (response.StatusCode != HttpStatusCode.OK || !body.Contains("Recent sessions", StringComparison.Ordinal))
            {
                Console.WriteLine($"dashboard-home: {name}: {(int)response.StatusCode} for {path}");
                return false;
            }

            var timing = response.Headers.TryGetValues("Server-Timing", out var values) ? string.Join(',', values) : "";
            foreach (Match match in DurPattern().Matches(timing))
            {
                (match.Groups[1].Value == "data" ? data : server).Add(
                    double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)
                );
            }
        }

        Console.WriteLine(
            $"dashboard-home: {name, -20} server p50 {P(server, 50):0.0} ms  p95 {P(server, 95):0.0} ms  p99 "
                + $"{P(server, 99):0.0} ms"
                + $"  | queries p50 {P(data, 50):0.0} ms  p99 {P(data, 99):0.0} ms  | request p50 {P(total, 50):0.0} "
                + $"ms  p99 {P(total, 99):0.0} ms  ({requests} requests)"
        );
        return true;
    }

    private static double P(List<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
    }

    /// <summary>Follows "Older ›" a few times, so the deep-page figure is a page far from the top.</summary>
    private static async Task<string> DeepCursorAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var html = await client.GetStringAsync("/", cancellationToken);
        var cursor = "";
        for (var i = 0; i < 20 && OlderPattern().Match(html) is { Success: true } m; i++)
        {
            cursor = m.Groups[1].Value;
            html = await client.GetStringAsync("/?after=" + cursor, cancellationToken);
        }

        return cursor;
    }

    private static async Task<HttpClient> SignInAsync(Uri baseAddress, CancellationToken cancellationToken)
    {
        var client = new HttpClient(
            new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }
        )
        {
            BaseAddress = baseAddress,
        };
        var form = await client.GetStringAsync("/signin", cancellationToken);
        var token = TokenPattern().Match(form).Groups[1].Value;
        using var response = await client.PostAsync(
            "/signin",
            new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token,
                    ["username"] = "admin",
                    ["password"] = Password,
                    ["returnUrl"] = "/",
                }
            ),
            cancellationToken
        );
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"sign-in failed: {(int)response.StatusCode}");
        }

        return client;
    }

    /// <summary>Raw SQL in 100,000-row transactions: sessions spread over the past weeks, mixed statuses, two
    /// agents.</summary>
    private static async Task<(Guid A, Guid B)> SeedAsync(
        BenchServer server,
        int count,
        CancellationToken cancellationToken
    )
    {
        await using var db = await server.Contexts.CreateDbContextAsync(cancellationToken);
        var agents = await db
            .Agents.AsNoTracking()
            .OrderBy(a => a.Name)
            .Select(a => new { a.Id, a.TenantId })
            .Take(2)
            .ToListAsync(cancellationToken);
        var (a, b, tenant) = (agents[0].Id, agents[1].Id, agents[0].TenantId);
        await using var connection = new SqliteConnection($"Data Source={server.DatabaseFile};Default Timeout=60");
        await connection.OpenAsync(cancellationToken);
        var start = DateTime.UtcNow.AddHours(-1);
        for (var done = 0; done < count; done += 100_000)
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await using var insert = connection.CreateCommand();
            insert.Transaction = (SqliteTransaction)tx;
            insert.CommandText = SeedSql;
            insert.Parameters.AddWithValue("$from", done);
            insert.Parameters.AddWithValue("$to", Math.Min(count, done + 100_000) - 1);
            insert.Parameters.AddWithValue("$tenant", tenant.ToString().ToUpperInvariant());
            insert.Parameters.AddWithValue("$a", a.ToString().ToUpperInvariant());
            insert.Parameters.AddWithValue("$b", b.ToString().ToUpperInvariant());
            insert.Parameters.AddWithValue(
                "$base",
                start.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            );
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        // The session view and the API read each session with its frozen start context (its own table).
        await using (var contexts = connection.CreateCommand())
        {
            contexts.CommandText =
                "INSERT INTO session_start_contexts (session_id, start_context) SELECT s.id, '{}' FROM sessions s "
                + "WHERE NOT EXISTS (SELECT 1 FROM session_start_contexts c WHERE c.session_id = s.id)";
            contexts.CommandTimeout = 600;
            await contexts.ExecuteNonQueryAsync(cancellationToken);
        }

        // Inserted around the append path: the lists' totals (session counts) are recomputed once.
        await Skein.Store.Sessions.SessionCountRebuild.RebuildAsync(db, cancellationToken);

        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE;";
        await analyze.ExecuteNonQueryAsync(cancellationToken);
        return (a, b);
    }

    private const string SeedSql = """
        WITH RECURSIVE c(n) AS (SELECT $from UNION ALL SELECT n + 1 FROM c WHERE n < $to),
        g(n, h) AS (SELECT n, hex(randomblob(16)) FROM c)
        INSERT INTO sessions (id, tenant_id, agent_id, agent_version_id, llm_model, trigger_type, triggered_by,
          trigger_id, trigger_name,
            status, total_tokens_used, output, error, input, root_run_id, entry_run_id, run_count, started_at,
              finished_at)
        SELECT substr(h,1,8)||'-'||substr(h,9,4)||'-'||substr(h,13,4)||'-'||substr(h,17,4)||'-'||substr(h,21,12),
            $tenant, CASE n % 2 WHEN 0 THEN $a ELSE $b END, $a, 'skein-scripted', 'api', 'bench', NULL, 'api',
            CASE n % 10 WHEN 0 THEN 'Failed' WHEN 1 THEN 'WaitingForTimer' WHEN 2 THEN 'Terminated'
                WHEN 3 THEN 'WaitingForHITL' ELSE 'Completed' END,
            100 + n % 900, NULL, NULL, '{}', $a, $a, 1,
            strftime('%Y-%m-%d %H:%M:%f', $base, '-' || (n * 2) || ' seconds'),
            strftime('%Y-%m-%d %H:%M:%f', $base, '-' || (n * 2 - 1) || ' seconds')
        FROM g;
        """;

    [GeneratedRegex(@"(data|total);dur=([0-9.]+)")]
    private static partial Regex DurPattern();

    [GeneratedRegex(@"href=""/\?after=([0-9]+_[0-9a-f]{32})""")]
    private static partial Regex OlderPattern();

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex TokenPattern();
}
