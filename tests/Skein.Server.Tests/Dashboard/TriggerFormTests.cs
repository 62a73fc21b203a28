using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>Scheduled and event triggers created, edited, switched and deleted from an agent's Triggers tab.</summary>
[Collection(DashboardCollection.Name)]
public sealed class TriggerFormTests(DashboardFixture fx)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_scheduled_trigger_is_created_edited_switched_off_and_deleted_from_the_triggers_tab()
    {
        var agent = await fx.QuickAgentAsync();
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/agents/{agent.AgentId}?tab=triggers");
        var form = page.Locator("#new-scheduled-trigger");
        await form.GetByLabel("Trigger name").FillAsync("nightly");
        await form.GetByLabel("Cron expression").FillAsync("30 2 * * *");
        await form.GetByLabel("Time zone (IANA)").FillAsync("Europe/Berlin");
        await form.GetByLabel("Run input (JSON object)").FillAsync("""{"report": "daily"}""");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create scheduled trigger" }).ClickAsync();

        await Expect(page.Locator("[data-notice]")).ToHaveTextAsync("Scheduled trigger nightly created.");
        var trigger = await TriggerAsync(agent.AgentId, "nightly");
        Assert.Equal("scheduled", trigger.GetProperty("type").GetString());
        Assert.True(trigger.GetProperty("active").GetBoolean());
        Assert.Equal("30 2 * * *", trigger.GetProperty("settings").GetProperty("cron").GetString());
        Assert.Equal("Europe/Berlin", trigger.GetProperty("settings").GetProperty("time_zone").GetString());
        Assert.Equal("daily", trigger.GetProperty("settings").GetProperty("input").GetProperty("report").GetString());
        Assert.Equal(JsonValueKind.String, trigger.GetProperty("nextFireAt").ValueKind);

        var row = page.Locator("tr[data-trigger-name='nightly']");
        await row.GetByText("Edit nightly").ClickAsync();
        var edit = row.Locator("form[data-edit-trigger]");
        await Expect(edit.GetByLabel("Cron expression")).ToHaveValueAsync("30 2 * * *");
        await edit.GetByLabel("Trigger name").FillAsync("early");
        await edit.GetByLabel("Cron expression").FillAsync("0 6 * * 1-5");
        await edit.GetByLabel("Time zone (IANA)").FillAsync("America/New_York");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Update trigger" }).ClickAsync();
        await Expect(page.Locator("[data-notice]")).ToHaveTextAsync("Trigger early saved.");
        var edited = await TriggerAsync(agent.AgentId, "early");
        Assert.Equal(trigger.GetProperty("id").GetGuid(), edited.GetProperty("id").GetGuid());
        Assert.Equal("0 6 * * 1-5", edited.GetProperty("settings").GetProperty("cron").GetString());
        Assert.Equal("America/New_York", edited.GetProperty("settings").GetProperty("time_zone").GetString());
        Assert.Equal("daily", edited.GetProperty("settings").GetProperty("input").GetProperty("report").GetString());

        var early = page.Locator("tr[data-trigger-name='early']");
        await early.GetByRole(AriaRole.Button, new() { Name = "Deactivate" }).ClickAsync();
        await Expect(page.Locator("[data-notice]")).ToContainTextAsync("Trigger deactivated");
        await Expect(early.GetByRole(AriaRole.Button, new() { Name = "Activate", Exact = true })).ToBeVisibleAsync();
        var inactive = await TriggerAsync(agent.AgentId, "early");
        Assert.False(inactive.GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, inactive.GetProperty("nextFireAt").ValueKind);

        await early.GetByRole(AriaRole.Button, new() { Name = "Delete trigger" }).ClickAsync();
        await ConfirmDialog.AcceptAsync(page, "Delete trigger early?");
        await Expect(page.Locator("[data-notice]")).ToHaveTextAsync("Trigger early deleted.");
        await Expect(early).ToHaveCountAsync(0);
        Assert.Empty(await TriggersAsync(agent.AgentId));
    }

    [Theory]
    [InlineData("61 * * * *", "UTC", "{}", "invalid cron expression '61 * * * *'")]
    [InlineData("0 9 * * *", "Mars/Olympus_Mons", "{}", "unknown time zone 'Mars/Olympus_Mons'")]
    [InlineData("0 9 * * *", "UTC", "{not json", "the run input is not valid JSON")]
    [InlineData("0 9 * * *", "UTC", "[1, 2]", "input must be a JSON object")]
    public async Task A_bad_schedule_is_shown_as_a_message_and_nothing_is_stored(
        string cron,
        string zone,
        string input,
        string message
    )
    {
        var agent = await fx.QuickAgentAsync();
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/agents/{agent.AgentId}?tab=triggers");
        var form = page.Locator("#new-scheduled-trigger");
        await form.GetByLabel("Trigger name").FillAsync("broken");
        await form.GetByLabel("Cron expression").FillAsync(cron);
        await form.GetByLabel("Time zone (IANA)").FillAsync(zone);
        await form.GetByLabel("Run input (JSON object)").FillAsync(input);
        await form.GetByRole(AriaRole.Button, new() { Name = "Create scheduled trigger" }).ClickAsync();

        await Expect(page.Locator("[data-notice]")).ToContainTextAsync("The trigger was not created: " + message);
        await Expect(page.Locator("tr[data-trigger-name='broken']")).ToHaveCountAsync(0);
        Assert.Empty(await TriggersAsync(agent.AgentId));
    }

    [Fact]
    public async Task An_event_trigger_shows_its_webhook_url_and_secret_once_and_a_signed_delivery_starts_a_session()
    {
        var agent = await fx.QuickAgentAsync();
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/agents/{agent.AgentId}?tab=triggers");
        var form = page.Locator("#new-event-trigger");
        await form.GetByLabel("Trigger name").FillAsync("orders");
        await form.GetByLabel("Input path").FillAsync("data.order");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create event trigger" }).ClickAsync();

        await Expect(page.Locator("[data-notice]")).ToHaveTextAsync("Event trigger orders created.");
        var trigger = await TriggerAsync(agent.AgentId, "orders");
        var id = trigger.GetProperty("id").GetGuid();
        Assert.Equal("event", trigger.GetProperty("type").GetString());
        Assert.Equal("data.order", trigger.GetProperty("settings").GetProperty("input_path").GetString());
        Assert.Equal(
            $"trigger-{id}-signing",
            trigger.GetProperty("settings").GetProperty("signing_secret_name").GetString()
        );
        var url = $"{fx.BaseUrl}/hooks/{id}";
        await Expect(page.Locator("[data-webhook='orders'] [data-webhook-url]")).ToHaveTextAsync(url);
        var secret = await page.Locator("[data-created-signing-secret] code").TextContentAsync();
        Assert.Matches("^[0-9a-f]{64}$", secret);

        // The URL and secret the page showed are the ones that work.
        var body = """{"data": {"order": {"id": 42}}}""";
        using var request = Webhooks.Signed(url, secret!, body);
        using var hooks = new HttpClient();
        var delivered = await hooks.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Accepted, delivered.StatusCode);

        // Shown once: a reload lists the trigger and its URL, never the secret.
        await page.GotoAsync($"/agents/{agent.AgentId}?tab=triggers");
        await Expect(page.Locator("[data-webhook='orders'] [data-webhook-url]")).ToHaveTextAsync(url);
        await Expect(page.Locator("[data-created-signing-secret]")).ToHaveCountAsync(0);
        Assert.DoesNotContain(secret!, await page.ContentAsync());
    }

    [Fact]
    public async Task Editing_an_event_trigger_changes_its_input_path_and_rotates_its_secret_and_delete_removes_it()
    {
        var agent = await fx.QuickAgentAsync();
        var created = await fx.Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            new { type = "event", name = "payments" },
            Ct
        );
        var first = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("signingSecret").GetString();
        var id = (await TriggerAsync(agent.AgentId, "payments")).GetProperty("id").GetGuid();
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/agents/{agent.AgentId}?tab=triggers");
        var row = page.Locator("tr[data-trigger-name='payments']");
        await row.GetByText("Edit payments").ClickAsync();
        var edit = row.Locator("form[data-edit-trigger]");
        await Expect(edit.GetByLabel("Signing secret name")).ToHaveValueAsync($"trigger-{id}-signing");
        await edit.GetByLabel("Input path").FillAsync("payload.payment");
        await edit.GetByLabel("Generate a new signing secret").CheckAsync();
        await edit.GetByRole(AriaRole.Button, new() { Name = "Update trigger" }).ClickAsync();

        await Expect(page.Locator("[data-notice]")).ToHaveTextAsync("Trigger payments saved.");
        var rotated = await page.Locator("[data-created-signing-secret] code").TextContentAsync();
        Assert.Matches("^[0-9a-f]{64}$", rotated);
        Assert.NotEqual(first, rotated);
        Assert.Equal(
            "payload.payment",
            (await TriggerAsync(agent.AgentId, "payments"))
                .GetProperty("settings")
                .GetProperty("input_path")
                .GetString()
        );

        await page.Locator("tr[data-trigger-name='payments']")
            .GetByRole(AriaRole.Button, new() { Name = "Delete trigger" })
            .ClickAsync();
        await ConfirmDialog.AcceptAsync(page);
        await Expect(page.Locator("[data-notice]")).ToHaveTextAsync("Trigger payments deleted.");
        Assert.Empty(await TriggersAsync(agent.AgentId));
        var secrets = await fx.Admin.GetFromJsonAsync<JsonElement>("/api/secrets", Ct);
        Assert.DoesNotContain(secrets.GetProperty("items").EnumerateArray(), s =>
            s.GetProperty("name").GetString() == $"trigger-{id}-signing"
        );
    }

    [Fact]
    public async Task An_event_trigger_naming_a_missing_secret_is_refused_with_a_message()
    {
        var agent = await fx.QuickAgentAsync();
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/agents/{agent.AgentId}?tab=triggers");
        var form = page.Locator("#new-event-trigger");
        await form.GetByLabel("Trigger name").FillAsync("hooked");
        await form.GetByLabel("Signing secret name").FillAsync("no-such-secret-" + Guid.NewGuid().ToString("N")[..6]);
        await form.GetByRole(AriaRole.Button, new() { Name = "Create event trigger" }).ClickAsync();

        await Expect(page.Locator("[data-notice]"))
            .ToContainTextAsync("The trigger was not created: there is no secret named 'no-such-secret-");
        Assert.Empty(await TriggersAsync(agent.AgentId));
    }

    private async Task<List<JsonElement>> TriggersAsync(Guid agentId)
    {
        var list = await fx.Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/triggers", Ct);
        return [.. list.GetProperty("items").EnumerateArray().Where(t => t.GetProperty("type").GetString() != "api")];
    }

    private async Task<JsonElement> TriggerAsync(Guid agentId, string name) =>
        (await TriggersAsync(agentId)).Single(t => t.GetProperty("name").GetString() == name);
}
