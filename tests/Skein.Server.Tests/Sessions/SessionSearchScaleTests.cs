using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;
using Skein.Store.Rows;
using Skein.Store.Sessions;
using Skein.Testing;

namespace Skein.Server.Tests.Sessions;

/// <summary>
/// Search and bulk actions past the sizes of <see cref="SessionSearchTests"/>: a word thousands of sessions hold
/// with a status filter (the stores answer it by walking the list's order and testing each row, or by the set of
/// matches when the walk finds too few: both must give exactly the newest matches, page after page), and one bulk
/// terminate of a few hundred sessions.
/// </summary>
public sealed class SessionSearchScaleTests(ApiServers servers) : ApiTests(servers)
{
    private const int Seeded = 9_500;

    // Sessions 1..5,200 (the oldest) hold the word: more than SessionTextSearch.CommonMatches. Every 50th failed.
    private const int WithWord = 5_200;

    private static readonly DateTime Epoch = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [StoreFact]
    public async Task A_common_word_with_a_status_filter_pages_through_the_newest_matches_first()
    {
        var word = "w" + Guid.NewGuid().ToString("N")[..12];
        var agent = await Server.CreateApiAgentAsync(new AgentSpec { Script = [new ScriptTurn { Text = "done" }] });
        var started = await Runs.StartAsync(agent.Client, agent.AgentId, new { text = "template" });
        await Runs.WaitForAsync(agent.Client, started.GetProperty("runId").GetGuid(), "Completed");
        var ids = await SeedAsync(started.GetProperty("sessionId").GetGuid(), word);

        // Newest first: the higher i, the later it started.
        var failed = Enumerable.Range(1, WithWord).Where(i => i % 50 == 0).Reverse().Select(i => ids[i]).ToList();
        var completed = Enumerable.Range(1, WithWord).Where(i => i % 50 != 0).Reverse().Select(i => ids[i]).ToList();
        var all = Enumerable.Range(1, WithWord).Reverse().Select(i => ids[i]).ToList();

        // Few failed sessions, each holding the word: found by testing rows in order.
        Assert.Equal(failed, await AllPagesAsync($"q={word}&status=Failed&take=25"));
        Assert.Equal(failed[10..15], Ids(await SearchAsync($"q={word}&status=Failed&skip=10&take=5")));

        // The newest 4,300 completed sessions lack the word: the walk gives up, the set of matches answers.
        var page = await SearchAsync($"q={word}&status=Completed&take=50");
        Assert.Equal(completed[..50], Ids(page));
        var next = page.GetProperty("next").GetString();
        Assert.Equal(
            completed[50..100],
            Ids(await SearchAsync($"q={word}&status=Completed&take=50&after={Uri.EscapeDataString(next!)}"))
        );
        Assert.Equal(all[..30], Ids(await SearchAsync($"q={word}&take=30")));

        // A second word only a few of them hold: the set of matches, as before.
        Assert.Equal([ids[4_000]], Ids(await SearchAsync($"q={word}+n4000&status=Failed")));
        Assert.Empty(Ids(await SearchAsync($"q={word}+n4001&status=Failed")));
    }

    [StoreFact]
    public async Task Bulk_terminate_of_hundreds_of_sessions_reports_each_and_ends_each()
    {
        const int count = 200;
        var chat = await Server.MultiTurnAgentAsync();
        var client = Server.CreateApiClient(await ApiKeys.CreateAsync(Admin, chat));
        var sessions = new List<Guid>();
        for (var i = 0; i < count; i += 25)
        {
            var batch = await Task.WhenAll(
                Enumerable.Range(i, 25).Select(n => Runs.StartAsync(client, chat.AgentId, new { n }))
            );
            sessions.AddRange(batch.Select(b => b.GetProperty("sessionId").GetGuid()));
        }

        await Eventually.Get(
            async () =>
            {
                await using var db = await Server.Contexts.CreateDbContextAsync(Ct);
                var statuses = await db
                    .Sessions.Where(s => s.AgentId == chat.AgentId)
                    .GroupBy(s => s.Status)
                    .Select(g => g.Key + "=" + g.Count())
                    .ToListAsync(Ct);
                return string.Join(", ", statuses.Order());
            },
            s => s == $"WaitingForResponse={count}",
            TimeSpan.FromSeconds(60),
            $"{count} sessions to wait for a message"
        );

        // One finished meanwhile: skipped, with a reason.
        (await Admin.PostAsync($"/api/sessions/{sessions[7]}/complete", null, Ct)).EnsureSuccessStatusCode();
        var response = await Admin.PostAsJsonAsync(
            "/api/sessions/bulk",
            new { action = "terminate", ids = sessions },
            Ct
        );
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("results");
        Assert.Equal(sessions, results.EnumerateArray().Select(r => r.GetProperty("sessionId").GetGuid()));
        Assert.Equal(
            sessions.Select((_, i) => i == 7 ? "skipped" : "done"),
            results.EnumerateArray().Select(r => r.GetProperty("outcome").GetString())
        );

        await using (var db = await Server.Contexts.CreateDbContextAsync(Ct))
        {
            var statuses = await db
                .Sessions.Where(s => s.AgentId == chat.AgentId)
                .ToDictionaryAsync(s => s.Id, s => s.Status, Ct);
            Assert.All(sessions, (id, i) => Assert.Equal(i == 7 ? "Completed" : "Terminated", statuses[id]));
        }

        // Each item is in the audit log once, with its outcome, as a single terminate would be.
        foreach (
            var (id, outcome) in new[]
            {
                (sessions[0], "succeeded"),
                (sessions[7], "failed"),
                (sessions[^1], "succeeded"),
            }
        )
        {
            var entries = (await Admin.GetFromJsonAsync<JsonElement>($"/api/audit?target={id}", Ct))
                .GetProperty("items")
                .EnumerateArray()
                .Where(e => e.GetProperty("action").GetString() == "session.terminated")
                .ToList();
            Assert.Single(entries);
            Assert.Equal(outcome, entries[0].GetProperty("outcome").GetString());
        }

        var terminated = (await Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessions[3]}", Ct))
            .GetProperty("session")
            .GetProperty("status")
            .GetString();
        Assert.Equal("Terminated", terminated);
    }

    /// <summary>Inserts <see cref="Seeded"/> finished sessions copied from a real one, one second apart in 2020
    /// (older than it), through EF so the store's own triggers index their text; returns their ids by i.</summary>
    private async Task<Guid[]> SeedAsync(Guid templateId, string word)
    {
        await using var db = await Server.Contexts.CreateDbContextAsync(Ct);
        var template = await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == templateId, Ct);
        var ids = new Guid[Seeded + 1];
        for (var i = 1; i <= Seeded; i++)
        {
            ids[i] = Guid.NewGuid();
            var text = i <= WithWord ? $"{word} n{i}" : $"other n{i}";
            db.Sessions.Add(
                new SessionRow
                {
                    Id = ids[i],
                    TenantId = template.TenantId,
                    AgentId = template.AgentId,
                    AgentVersionId = template.AgentVersionId,
                    LlmModel = template.LlmModel,
                    TriggerType = template.TriggerType,
                    TriggeredBy = template.TriggeredBy,
                    TriggerId = template.TriggerId,
                    Status = i % 50 == 0 ? "Failed" : "Completed",
                    Output = "\"ok\"",
                    Input = JsonSerializer.Serialize(new { text }),
                    StartContext = template.StartContext,
                    RootRunId = Guid.NewGuid(),
                    EntryRunId = Guid.NewGuid(),
                    RunCount = 1,
                    StartedAt = Epoch.AddSeconds(i),
                    FinishedAt = Epoch.AddSeconds(i),
                }
            );
        }

        await db.SaveChangesAsync(Ct);
        await SessionCountRebuild.RebuildAsync(db, Ct);
        return ids;
    }

    private async Task<List<Guid>> AllPagesAsync(string query)
    {
        var ids = new List<Guid>();
        string? next = null;
        do
        {
            var page = await SearchAsync(query + (next is null ? "" : "&after=" + Uri.EscapeDataString(next)));
            ids.AddRange(Ids(page));
            next = page.GetProperty("next").GetString();
        } while (next is not null);

        return ids;
    }

    private async Task<JsonElement> SearchAsync(string query)
    {
        var response = await Admin.GetAsync("/api/sessions?" + query, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static List<Guid> Ids(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];
}
