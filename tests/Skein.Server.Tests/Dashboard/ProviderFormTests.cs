using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Skein.Store;
using Skein.Store.Secrets;
using Skein.Store.Workspaces;
using Skein.Testing;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>LLM providers added, edited and deleted from Settings, through the same code as
/// <c>/api/providers</c>.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ProviderFormTests(DashboardFixture fx)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Name() => "dash-provider-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_provider_added_in_settings_keeps_its_key_in_a_secret_that_the_page_never_renders()
    {
        var name = Name();
        const string key = "sk-dashboard-key-never-rendered-7c1d";
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/settings");
        await AddAsync(page, name, "openai", "http://127.0.0.1:9/v1", key, "gpt-small, gpt-large\ngpt-x");

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Provider {name} added.");
        var row = page.Locator($"#providers tr[data-provider='{name}']");
        await Expect(row).ToContainTextAsync("gpt-small, gpt-large, gpt-x");
        await Expect(row).ToContainTextAsync("set (hidden)");
        Assert.DoesNotContain(key, await page.ContentAsync());

        var provider = await ProviderAsync(name);
        var id = provider.GetProperty("id").GetGuid();
        Assert.Equal("openai", provider.GetProperty("kind").GetString());
        Assert.Equal("http://127.0.0.1:9/v1", provider.GetProperty("baseUrl").GetString());
        Assert.Equal(
            ["gpt-small", "gpt-large", "gpt-x"],
            provider.GetProperty("models").EnumerateArray().Select(m => m.GetString())
        );
        Assert.Equal($"provider-{id}-key", provider.GetProperty("apiKeySecretName").GetString());
        Assert.Equal(key, await SecretAsync($"provider-{id}-key"));
    }

    [Fact]
    public async Task Editing_a_provider_keeps_its_key_when_the_field_is_empty_and_can_remove_it()
    {
        var name = Name();
        const string key = "sk-kept-key-4410";
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/settings");
        await AddAsync(page, name, "openai", "http://127.0.0.1:9/v1", key, "gpt-small");
        var row = page.Locator($"#providers tr[data-provider='{name}']");
        await Expect(row).ToHaveCountAsync(1);

        await row.GetByText($"Edit {name}").ClickAsync();
        var edit = row.Locator("form[data-edit-provider]");
        await Expect(edit.GetByLabel("Provider name")).ToHaveValueAsync(name);
        await Expect(edit.GetByLabel("Base URL")).ToHaveValueAsync("http://127.0.0.1:9/v1");
        await edit.GetByLabel("Base URL").FillAsync("http://127.0.0.1:10/v1");
        await edit.GetByLabel("Models").FillAsync("gpt-new");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Update provider" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Provider {name} saved.");
        await Expect(row).ToContainTextAsync("gpt-new");
        var provider = await ProviderAsync(name);
        var id = provider.GetProperty("id").GetGuid();
        Assert.Equal("http://127.0.0.1:10/v1", provider.GetProperty("baseUrl").GetString());
        Assert.Equal(key, await SecretAsync($"provider-{id}-key"));

        await row.GetByText($"Edit {name}").ClickAsync();
        await edit.GetByLabel("Remove the stored key").CheckAsync();
        await edit.GetByRole(AriaRole.Button, new() { Name = "Update provider" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Provider {name} saved.");
        await Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("none");
        Assert.Equal(JsonValueKind.Null, (await ProviderAsync(name)).GetProperty("apiKeySecretName").ValueKind);
        Assert.Null(await SecretAsync($"provider-{id}-key"));
    }

    [Fact]
    public async Task A_bad_base_url_is_refused_with_a_message_and_nothing_is_stored()
    {
        var name = Name();
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/settings");
        await AddAsync(page, name, "openai", "ftp://models.example/v1", null, "");

        await Expect(page.GetByRole(AriaRole.Alert))
            .ToContainTextAsync("The provider was not added: baseUrl must be an absolute http(s) URL");
        await Expect(page.Locator($"#providers tr[data-provider='{name}']")).ToHaveCountAsync(0);
        var providers = await fx.Admin.GetFromJsonAsync<JsonElement>("/api/providers", Ct);
        Assert.DoesNotContain(providers.GetProperty("items").EnumerateArray(), p =>
            p.GetProperty("name").GetString() == name
        );
    }

    [Fact]
    public async Task Deleting_a_provider_is_refused_while_an_agent_uses_it()
    {
        var name = Name();
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/settings");
        await AddAsync(page, name, "scripted", null, null, "skein-scripted");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Provider {name} added.");
        var id = (await ProviderAsync(name)).GetProperty("id").GetGuid();
        var user = await fx.AgentAsync(new AgentSpec { Name = "uses-" + name });
        var contexts = fx.Factory.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync(Ct))
        {
            await db
                .Agents.Where(a => a.Id == user.AgentId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LlmProviderId, id), Ct);
        }

        var row = page.Locator($"#providers tr[data-provider='{name}']");
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete provider" }).ClickAsync();
        await ConfirmDialog.AcceptAsync(page);
        await Expect(page.GetByRole(AriaRole.Alert))
            .ToContainTextAsync($"The provider was not deleted: agents use this provider (uses-{name})");
        await Expect(row).ToHaveCountAsync(1);
        await ProviderAsync(name);

        await using (var db = await contexts.CreateDbContextAsync(Ct))
        {
            var other = await db.LlmProviders.Where(p => p.Id != id).Select(p => p.Id).FirstAsync(Ct);
            await db
                .Agents.Where(a => a.Id == user.AgentId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LlmProviderId, other), Ct);
        }

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete provider" }).ClickAsync();
        await ConfirmDialog.AcceptAsync(page);
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Provider {name} deleted.");
        await Expect(row).ToHaveCountAsync(0);
        var providers = await fx.Admin.GetFromJsonAsync<JsonElement>("/api/providers", Ct);
        Assert.DoesNotContain(providers.GetProperty("items").EnumerateArray(), p =>
            p.GetProperty("name").GetString() == name
        );
    }

    private static async Task AddAsync(
        IPage page,
        string name,
        string kind,
        string? baseUrl,
        string? key,
        string models
    )
    {
        var form = page.Locator("#add-provider");
        await form.GetByLabel("Provider name").FillAsync(name);
        await form.GetByLabel("Provider kind").SelectOptionAsync(kind);
        await form.GetByLabel("Base URL").FillAsync(baseUrl ?? "");
        await form.GetByLabel("API key").FillAsync(key ?? "");
        await form.GetByLabel("Models").FillAsync(models);

        // The server's own validation is under test, not the browser's URL check.
        await form.EvaluateAsync("f => f.noValidate = true");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add provider" }).ClickAsync();
    }

    private async Task<JsonElement> ProviderAsync(string name)
    {
        var providers = await fx.Admin.GetFromJsonAsync<JsonElement>("/api/providers", Ct);
        return providers.GetProperty("items").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
    }

    private async Task<string?> SecretAsync(string secretName)
    {
        var tenant = await DefaultWorkspace.IdAsync(
            fx.Factory.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>(),
            Ct
        );
        return await fx.Factory.Services.GetRequiredService<SecretStore>().GetAsync(tenant, secretName, Ct);
    }
}
