using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Skein.Core.Agents;
using Skein.Store;
using Skein.Testing;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>
/// Home rows say when a session's sub-agent waits on a person (issue #14): an approval inside a child under a HITL
/// root, or a child's question escalated to a person; a root's own approval shows no such chip. Checked on the page
/// as loaded and on a row that arrives through the live feed.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class HomeChildWaitingTests(DashboardFixture fx)
{
    private static ILocator Chip(IPage page, Guid sessionId) =>
        page.Locator($"#s-{sessionId} [data-child-waiting=person]");

    [Fact]
    public async Task Rows_show_a_sub_agent_waiting_on_a_person_on_load_and_live()
    {
        var contexts = fx.Factory.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        var gated = "gated_" + Guid.NewGuid().ToString("N")[..8];
        await TestData.AddOperationAsync(
            contexts,
            new OperationSpec(gated, "http://127.0.0.1:9") { RequireApproval = true },
            TestContext.Current.CancellationToken
        );

        var approver = await SubAgentAsync("approver", Call(gated, new { amount = 5 }));
        var asker = await SubAgentAsync("asker", Call("ask_parent", new { question = "which budget?" }));
        var childApproval = await ParentAsync(approver, Call(Tool(approver), new { input = "pay" }));
        var escalation = await ParentAsync(
            asker,
            Call(Tool(asker), new { input = "plan" }),
            Call("aitl_escalate", new { })
        );
        var rootApproval = await fx.AgentAsync(
            new AgentSpec
            {
                Mode = ExecutionMode.HITL,
                Operations = [gated],
                Script = [Call(gated, new { amount = 5 }), new ScriptTurn { Text = "done" }],
            }
        );

        var inChild = await fx.StartAsync(childApproval.AgentId);
        var atRoot = await fx.StartAsync(rootApproval.AgentId);
        await fx.SessionInStatusAsync(inChild, "WaitingForHITL");
        await fx.SessionInStatusAsync(atRoot, "WaitingForHITL");

        var page = await fx.NewPageAsync();
        await page.GotoAsync("/?status=WaitingForHITL");
        await Expect(page.Locator("table.sessions[data-live=open]")).ToHaveCountAsync(1);
        await Expect(Chip(page, inChild)).ToHaveTextAsync("sub-agent waits on a person");
        await Expect(page.Locator($"#s-{atRoot}")).ToHaveCountAsync(1);
        await Expect(page.Locator($"#s-{atRoot} [data-child-waiting]")).ToHaveCountAsync(0);

        // Escalated while the page is open: the row comes through the live feed with its chip.
        var escalated = await fx.StartAsync(escalation.AgentId);
        await fx.SessionInStatusAsync(escalated, "WaitingForHITL");
        await Expect(Chip(page, escalated)).ToHaveCountAsync(1);
    }

    private static string Tool(CreatedAgentNamed agent) => "subagent_" + agent.Name;

    private static ScriptTurn Call(string tool, object arguments) =>
        new() { ToolCalls = [new ScriptToolCall(tool, JsonSerializer.SerializeToElement(arguments))] };

    private sealed record CreatedAgentNamed(Guid AgentId, string Name);

    private async Task<CreatedAgentNamed> SubAgentAsync(string prefix, ScriptTurn first)
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..6];
        var operations = first.ToolCalls[0].Name == "ask_parent" ? [] : new[] { first.ToolCalls[0].Name };
        var agent = await fx.AgentAsync(
            new AgentSpec
            {
                Name = name,
                Mode = ExecutionMode.SubAgent,
                Description = "a sub-agent that waits on a person",
                Operations = operations,
                Script = [first, new ScriptTurn { Text = "child done" }],
            }
        );
        return new CreatedAgentNamed(agent.AgentId, name);
    }

    private Task<CreatedAgent> ParentAsync(CreatedAgentNamed child, params ScriptTurn[] turns) =>
        fx.AgentAsync(
            new AgentSpec
            {
                Mode = ExecutionMode.HITL,
                AllowedSubAgents = [child.AgentId],
                Script = [.. turns, new ScriptTurn { Text = "parent done" }],
            }
        );
}
