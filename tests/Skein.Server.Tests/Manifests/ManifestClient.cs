using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Skein.Testing;

namespace Skein.Server.Tests.Manifests;

/// <summary>The manifest routes and the few admin calls the manifest tests need, over real HTTP.</summary>
internal static class ManifestClient
{
    public static string Sample(string name) => File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", name));

    /// <summary>A small manifest with its own agent name, so tests sharing a server never meet.</summary>
    public static string Minimal(string agent, string label = "v1", double temperature = 0.5) =>
        $"""
            kind: phrony.manifest
            version: 1
            llmProviders:
              - name: scripted
                type: scripted
            agents:
              - manifestKey: a
                name: {agent}
                executionMode: request
                llmProviderName: scripted
            versions:
              - agentManifestKey: a
                status: deployed
                versionLabel: {label}
                llmModel: skein-scripted
                temperature: {temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}
                allowedOperations:
                  - serviceName: built_in
                    operationName: skein_echo
            triggers:
              - agentManifestKey: a
                name: api
                type: api
                rpmLimit: 30
            """;

    public static async Task<HttpResponseMessage> ApplyAsync(
        HttpClient admin,
        string yaml,
        bool dryRun = false,
        string? values = null
    )
    {
        var url = $"/api/manifests/apply?dryRun={(dryRun ? "true" : "false")}";
        HttpContent content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        if (values is not null)
        {
            content = new MultipartFormDataContent
            {
                { content, "manifest", "manifest.yaml" },
                { new StringContent(values, Encoding.UTF8, "application/yaml"), "values", "values.yaml" },
            };
        }

        return await admin.PostAsync(url, content, TestContext.Current.CancellationToken);
    }

    public static async Task<List<(string Resource, string Key, string Action)>> ChangesAsync(
        HttpResponseMessage response
    )
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return
        [
            .. JsonDocument
                .Parse(body)
                .RootElement.GetProperty("changes")
                .EnumerateArray()
                .Select(c =>
                    (
                        c.GetProperty("resource").GetString()!,
                        c.GetProperty("key").GetString()!,
                        c.GetProperty("action").GetString()!
                    )
                ),
        ];
    }

    public static async Task<Guid?> AgentIdAsync(HttpClient admin, string name)
    {
        var agents = await admin.GetFromJsonAsync<JsonElement>("/api/agents", TestContext.Current.CancellationToken);
        return agents
            .GetProperty("items")
            .EnumerateArray()
            .Where(a => a.GetProperty("name").GetString() == name)
            .Select(a => (Guid?)a.GetProperty("id").GetGuid())
            .SingleOrDefault();
    }

    public static async Task<string> ExportAsync(HttpClient admin, Guid agentId)
    {
        var response = await admin.GetAsync($"/api/agents/{agentId}/manifest", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Equal("application/yaml", response.Content.Headers.ContentType?.MediaType);
        return body;
    }

    public static async Task<Guid> StartAsync(HttpClient admin, Guid agentId, object input)
    {
        var started = await admin.PostAsJsonAsync(
            $"/api/agents/{agentId}/runs",
            new { input },
            TestContext.Current.CancellationToken
        );
        var body = await started.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(started.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("sessionId").GetGuid();
    }

    public static Task<JsonElement> WaitForSessionAsync(HttpClient admin, Guid sessionId, string status) =>
        Eventually.Get(
            () =>
                admin.GetFromJsonAsync<JsonElement>(
                    $"/api/sessions/{sessionId}",
                    TestContext.Current.CancellationToken
                ),
            s =>
                s.GetProperty("session").GetProperty("status").GetString() is var now
                && (now == status || now is "Failed" or "Completed" or "Terminated"),
            what: $"session {sessionId} to be {status}"
        );

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Skein.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            "the repository root (Skein.slnx) was not found above " + AppContext.BaseDirectory
        );
    }
}
