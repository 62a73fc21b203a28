using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>Multi-agent sessions in a real browser (SPEC section 9): an AITL escalation answered from Review →
/// Approvals, then the session's run tree with the child's card and the SubAgentCall link to it.</summary>
[Collection(DashboardCollection.Name)]
public sealed class RunTreeTests(DashboardFixture fx)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_aitl_escalation_is_answered_from_approvals_and_the_run_tree_shows_the_child()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var child = await AgentAsync(
            $"picker-{suffix}",
            "SubAgent",
            new
            {
                description = "Picks a colour after asking its parent",
                script = new object[]
                {
                    new
                    {
                        text = "asking",
                        toolCalls = new[]
                        {
                            new { name = "ask_parent", arguments = new { question = "Which colour?" } },
                        },
                    },
                    new { text = "Picked the colour I was told." },
                },
            }
        );
        var parent = await AgentAsync(
            $"lead-{suffix}",
            "HITL",
            new
            {
                description = "Delegates and escalates the child's question to a person",
                canExecuteSubAgents = true,
                allowedSubAgents = new[] { child },
                script = new object[]
                {
                    new
                    {
                        text = "delegating",
                        toolCalls = new[]
                        {
                            new { name = $"subagent_picker-{suffix}", arguments = new { input = "pick" } },
                        },
                    },
                    new
                    {
                        text = "a person should answer this",
                        toolCalls = new[] { new { name = "aitl_escalate", arguments = new { } } },
                    },
                    new { text = "done" },
                },
            }
        );
        var sessionId = await fx.StartAsync(parent);
        await fx.SessionInStatusAsync(sessionId, "WaitingForHITL");

        var page = await fx.NewPageAsync();
        await page.GotoAsync("/review/approvals?kind=aitl_escalation");
        var card = page.Locator($".task:has(a[href='/sessions/{sessionId}'])");
        await Expect(card.Locator("[data-aitl-escalation]")).ToContainTextAsync("Which colour?");
        await card.GetByLabel("Answer for the sub-agent").FillAsync("Blue");
        await card.GetByRole(AriaRole.Button, new() { Name = "Answer" }).ClickAsync();
        await Expect(card).ToHaveCountAsync(0);
        var done = await fx.SessionInStatusAsync(sessionId, "Completed");
        Assert.Contains(done.GetProperty("steps").EnumerateArray(), s =>
            s.GetProperty("type").GetString() == "AitlResponse"
            && s.GetProperty("content").GetRawText().Contains("Blue")
        );

        await page.GotoAsync($"/sessions/{sessionId}");
        var childCard = page.Locator(".run-tree [data-run][data-depth='1']");
        await Expect(childCard).ToHaveCountAsync(1);
        await Expect(childCard.Locator("[data-depth-chip]").First).ToHaveTextAsync("depth 1");
        await Expect(childCard.Locator(".badge").First).ToContainTextAsync("Completed");
        var childRunId = await childCard.GetAttributeAsync("data-run");
        var call = page.Locator($"[data-step-type='SubAgentCall'] a[data-child-run='{childRunId}']");
        await Expect(call).ToHaveCountAsync(1);
        await call.ClickAsync();
        await Expect(page.Locator("[data-run-filter]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-step-type='AitlRequest']")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-step-type='SubAgentCall']")).ToHaveCountAsync(0);
    }

    private async Task<Guid> AgentAsync(string name, string mode, object settings)
    {
        var created = await fx.Admin.PostAsJsonAsync("/api/agents", new { name, executionMode = mode }, Ct);
        created.EnsureSuccessStatusCode();
        var agentId = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        var version = await fx.Admin.PostAsJsonAsync($"/api/agents/{agentId}/versions", new { settings }, Ct);
        var body = await version.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(version.IsSuccessStatusCode, body.GetRawText());
        var deployed = await fx.Admin.PostAsync(
            $"/api/agents/{agentId}/versions/{body.GetProperty("id").GetGuid()}/deploy",
            null,
            Ct
        );
        deployed.EnsureSuccessStatusCode();
        return agentId;
    }
}
