using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Store;
using Skein.Testing;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>Find sessions, bulk actions and Fork in a real browser (issue #17).</summary>
[Collection(DashboardCollection.Name)]
public sealed class SessionSearchDashboardTests(DashboardFixture fx)
{
    private static ILocator Row(IPage page, Guid sessionId) => page.Locator($"#s-{sessionId}");

    private async Task<Guid> StartTaggedAsync(Guid agentId, string batch)
    {
        var response = await fx.Admin.PostAsJsonAsync(
            $"/api/agents/{agentId}/runs",
            new { input = new { }, tags = new Dictionary<string, string> { ["batch"] = batch } },
            TestContext.Current.CancellationToken
        );
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return body.GetProperty("sessionId").GetGuid();
    }

    [Fact]
    public async Task An_operator_terminates_from_a_bulk_selection_of_a_filtered_list()
    {
        var batch = "b" + Guid.NewGuid().ToString("N")[..10];
        var agent = await fx.WaitingAgentAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await StartTaggedAsync(agent.AgentId, batch));
        }

        foreach (var id in ids)
        {
            await fx.SessionInStatusAsync(id, "WaitingForTimer");
        }

        var page = await fx.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("Tag").FillAsync($"batch:{batch}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"tag=batch%3A{batch}"));
        await Expect(page.Locator("table.sessions tbody tr")).ToHaveCountAsync(3);
        await ShotAsync(page, "home-search.png");

        await Row(page, ids[0]).Locator("input[data-select]").CheckAsync();
        await Row(page, ids[1]).Locator("input[data-select]").CheckAsync();
        await Expect(page.Locator("[data-bulk-count]")).ToHaveTextAsync("2 selected");
        await page.Locator("[data-bulk] button[data-bulk-action=terminate]").ClickAsync();
        var dialog = page.Locator("#bulk-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.Locator("[data-bulk-question]")).ToHaveTextAsync("Terminate 2 sessions?");
        await ShotAsync(page, "bulk-confirm.png");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();

        await Expect(page.Locator("[data-bulk-summary]")).ToHaveTextAsync("Terminate: 2 done, 0 skipped, 0 failed");
        await fx.SessionInStatusAsync(ids[0], "Terminated");
        await fx.SessionInStatusAsync(ids[1], "Terminated");
        await Expect(Row(page, ids[0])).ToHaveAttributeAsync("data-status", "Terminated");
        await fx.SessionInStatusAsync(ids[2], "WaitingForTimer");

        // "All matching the filter": the two finished ones are skipped, the waiting one is completed.
        await page.Locator("input[data-bulk-all]").CheckAsync();
        await page.Locator("[data-bulk] button[data-bulk-action=complete]").ClickAsync();
        await Expect(dialog.Locator("[data-bulk-question]"))
            .ToHaveTextAsync("Mark complete every session matching the filter?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(page.Locator("[data-bulk-summary]")).ToHaveTextAsync("Mark complete: 1 done, 2 skipped, 0 failed");
        await Expect(page.Locator("[data-bulk-results] li[data-outcome=skipped]")).ToHaveCountAsync(2);
        // Each result names its session as the list does (the last 8 hex digits).
        var named = await page.Locator("[data-bulk-results] li[data-outcome=skipped] a").AllInnerTextsAsync();
        Assert.Equal(ids.Take(2).Select(id => id.ToString("N")[^8..]).Order(), named.Order());
        await ShotAsync(page, "bulk-results.png");
        await fx.SessionInStatusAsync(ids[2], "Completed");

        // A filter nothing matches says so and offers a way back.
        await page.GotoAsync($"/?tag=batch:{batch}-none");
        await Expect(page.Locator("p.empty")).ToContainTextAsync("No sessions match");
        await page.Locator("[data-clear-filters]").ClickAsync();
        await Expect(page).ToHaveURLAsync(fx.BaseUrl + "/");
    }

    [Fact]
    public async Task A_fork_continues_from_the_chosen_step()
    {
        var agent = await fx.AgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "calling",
                        ToolCalls =
                        [
                            new ScriptToolCall(EchoTool.ToolName, JsonSerializer.SerializeToElement(new { n = 1 })),
                        ],
                    },
                    new ScriptTurn { Text = "all done" },
                ],
            }
        );
        var source = await fx.StartAsync(agent.AgentId);
        var done = await fx.SessionInStatusAsync(source, "Completed");
        var sourceSteps = done.GetProperty("steps").GetArrayLength();

        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/sessions/{source}");
        await page.Locator("li[data-step-type=ToolResult] button[data-fork]").ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(fx.BaseUrl + $"/sessions/{source}");
        var forkId = Guid.Parse(new Uri(page.Url).Segments[^1]);

        await Expect(page.Locator("[data-forked-from] a")).ToHaveAttributeAsync("href", $"/sessions/{source}");
        await Expect(page.Locator("[data-fork-point]")).ToHaveCountAsync(1);
        var fork = await fx.SessionInStatusAsync(forkId, "Completed");
        Assert.Equal("all done", fork.GetProperty("session").GetProperty("output").GetString());
        Assert.Equal(sourceSteps, fork.GetProperty("steps").GetArrayLength());
        await Expect(page.Locator(".session-head .badge")).ToHaveTextAsync("Completed");
        // The divergence sits right after the copied ToolResult: the model's second turn ran live.
        await Expect(page.Locator("li[data-fork-point] + li"))
            .ToHaveAttributeAsync("data-step-type", "llm_request_prepared");
        await ShotAsync(page, "session-forked.png");
    }

    [Fact]
    public async Task Search_finds_a_session_by_a_word_of_its_input_among_ten_thousand()
    {
        var agent = await fx.QuickAgentAsync();
        var word = "needle" + Guid.NewGuid().ToString("N")[..10];
        var template = await fx.StartAsync(agent.AgentId, new { text = "routine check" });
        await fx.SessionInStatusAsync(template, "Completed");
        await SeedAsync(agent.AgentId, 10_000);
        var target = await fx.StartAsync(agent.AgentId, new { text = $"please find {word} here" });
        await fx.SessionInStatusAsync(target, "Completed");

        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/?agentId={agent.AgentId}");
        await Expect(page.Locator("table.sessions tbody tr"))
            .ToHaveCountAsync(Skein.Server.Dashboard.Pages.IndexModel.PageSize);
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).FillAsync(word);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"q={word}"));
        await Expect(page.Locator("table.sessions tbody tr")).ToHaveCountAsync(1);
        await Expect(Row(page, target)).ToHaveCountAsync(1);
    }

    /// <summary>Finished sessions written straight into the store (one statement, the FTS triggers fire), each
    /// with the input "routine check" and a copy of the template's start context.</summary>
    private async Task SeedAsync(Guid agentId, int count)
    {
        var ct = TestContext.Current.CancellationToken;
        var contexts = fx.Factory.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var template = await db.Sessions.AsNoTracking().FirstAsync(s => s.AgentId == agentId, ct);
        const string uuid =
            "upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-8' "
            + "|| substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";
        const string at = "strftime('%Y-%m-%d %H:%M:%S', 1577836800 + i, 'unixepoch')";
        await db.Database.ExecuteSqlRawAsync(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {0}) "
                + "INSERT INTO sessions (id, tenant_id, agent_id, agent_version_id, llm_model, trigger_type, "
                + "triggered_by, status, total_tokens_used, output, input, root_run_id, entry_run_id, run_count, "
                + $"started_at, finished_at) SELECT {uuid}, {{1}}, {{2}}, {{3}}, 'skein-scripted', 'console', 'seed', "
                + $"'Completed', 1, '\"ok\"', '{{{{\"text\":\"routine check\"}}}}', {uuid}, {uuid}, 1, {at}, {at} "
                + "FROM n",
            [count, Id(template.TenantId), Id(agentId), Id(template.AgentVersionId)],
            ct
        );
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO session_start_contexts (session_id, start_context) SELECT s.id, {0} FROM sessions s "
                + "WHERE NOT EXISTS (SELECT 1 FROM session_start_contexts c WHERE c.session_id = s.id)",
            [template.StartContext],
            ct
        );
    }

    /// <summary>Keeps a screenshot for docs/dashboard.md when SKEIN_SCREENSHOT_DIR is set (see LayoutTests).</summary>
    private static async Task ShotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("SKEIN_SCREENSHOT_DIR") is { Length: > 0 } dir)
        {
            await page.ScreenshotAsync(
                new()
                {
                    Path = Path.Combine(dir, name),
                    FullPage = false,
                    Type = ScreenshotType.Png,
                }
            );
        }
    }

    private static string Id(Guid id) => id.ToString("D").ToUpperInvariant();
}
