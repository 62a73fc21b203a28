using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Skein.Server.Tests.Application;

/// <summary>
/// The dashboard's agent, version, provider and secret forms over plain HTTP (no browser): each posts to the page,
/// the page calls the service and shows its answer.
/// </summary>
public sealed partial class DashboardFormTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task A_provider_the_service_refuses_is_shown_with_its_reason_and_a_valid_one_is_listed()
    {
        var client = await SignedInAsync();
        var name = "form-" + Guid.NewGuid().ToString("N")[..6];

        var refused = await PostAsync(
            client,
            "/settings",
            "/settings/addprovider",
            new()
            {
                ["providerName"] = name,
                ["providerKind"] = "openai",
                ["providerBaseUrl"] = "ftp://x",
            }
        );
        var added = await PostAsync(
            client,
            "/settings",
            "/settings/addprovider",
            new()
            {
                ["providerName"] = name,
                ["providerKind"] = "openai",
                ["providerBaseUrl"] = "http://127.0.0.1:9",
                ["providerApiKey"] = "sk-form-key",
            }
        );

        Assert.Contains("The provider was not added: baseUrl must be an absolute http(s) URL", refused);
        Assert.Contains($"Provider {name} added.", added);
        Assert.Contains($"data-provider=\"{name}\"", added);
        Assert.DoesNotContain("sk-form-key", added);
    }

    [StoreFact]
    public async Task A_secret_saved_on_the_settings_page_is_listed_by_name_and_a_bad_name_is_explained()
    {
        var client = await SignedInAsync();
        var name = "form-secret-" + Guid.NewGuid().ToString("N")[..6];

        var saved = await PostAsync(
            client,
            "/settings",
            "/settings/secret",
            new() { ["secretName"] = name, ["secretValue"] = "v-123" }
        );
        var refused = await PostAsync(
            client,
            "/settings",
            "/settings/secret",
            new() { ["secretName"] = "bad name", ["secretValue"] = "v" }
        );

        Assert.Contains($"Secret {name} saved.", saved);
        Assert.Contains("A secret needs a name of 1 to 200", refused);
        Assert.DoesNotContain("v-123", saved);
    }

    [StoreFact]
    public async Task The_agent_pages_list_the_agent_and_move_its_versions_through_the_version_service()
    {
        var client = await SignedInAsync();
        var admin = Server.CreateAdminClient();
        var name = "page-agent-" + Guid.NewGuid().ToString("N")[..6];
        var agent = await (
            await admin.PostAsJsonAsync("/api/agents", new { name }, Ct)
        ).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var agentId = agent.GetProperty("id").GetGuid();

        var created = await PostAsync(client, $"/agents/{agentId}", $"/agents/{agentId}/newversion", []);
        var versionId = VersionPattern().Match(created).Groups[1].Value;
        var deployed = await PostAsync(
            client,
            $"/agents/{agentId}",
            $"/agents/{agentId}/deploy",
            new() { ["versionId"] = versionId }
        );
        var rollback = await PostAsync(client, $"/agents/{agentId}", $"/agents/{agentId}/rollback", []);
        var list = WebUtility.HtmlDecode(await client.GetStringAsync("/agents", Ct));

        Assert.Contains("Created a new Testing version from the newest one.", created);
        Assert.Contains("Deployed.", deployed);
        Assert.Contains("no earlier deployed version to roll back to from v1", rollback);
        Assert.Contains(name, list);
    }

    private async Task<HttpClient> SignedInAsync()
    {
        var client = Server.CreateClient(
            new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }
        );
        var response = await client.PostAsync(
            "/signin",
            Form(
                await client.GetStringAsync("/signin", Ct),
                new() { ["username"] = "admin", ["password"] = SkeinApiFactory.AdminPassword }
            ),
            Ct
        );
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>Posts a form of <paramref name="page"/> and returns the decoded page the answer leads to.</summary>
    private static async Task<string> PostAsync(
        HttpClient client,
        string page,
        string action,
        Dictionary<string, string> fields
    )
    {
        var response = await client.PostAsync(action, Form(await client.GetStringAsync(page, Ct), fields), Ct);
        var body = response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found
            ? await client.GetStringAsync(response.Headers.Location, Ct)
            : await response.Content.ReadAsStringAsync(Ct);
        return WebUtility.HtmlDecode(body);
    }

    private static FormUrlEncodedContent Form(string page, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = TokenPattern().Match(page).Groups[1].Value;
        return new FormUrlEncodedContent(fields);
    }

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"data-version=""([0-9a-f-]{36})""")]
    private static partial Regex VersionPattern();
}
