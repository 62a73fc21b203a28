using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Skein.Server.Tests.Api;

/// <summary>
/// <c>/openapi/v1.json</c> over real HTTP: it declares who may call what, describes the public API's bodies and
/// errors, passes <c>redocly lint</c> (pinned in tests/openapi), and the reference page at <c>/docs</c> is public.
/// </summary>
[RunsLong(25)]
public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private static readonly TimeSpan LintDeadline = TimeSpan.FromMinutes(3);
    private readonly SkeinApiFactory _factory = new();
    private HttpClient _client = null!;

    public ValueTask InitializeAsync()
    {
        _factory.UseKestrel(0);
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        _client = new HttpClient { BaseAddress = new Uri(address.Addresses.Single()) };
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<(string Text, JsonElement Root)> DocumentAsync()
    {
        using var response = await _client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (text, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static JsonElement Operation(JsonElement root, string path, string method) =>
        root.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static string SchemeOf(JsonElement operation) =>
        string.Join(
            ",",
            operation.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject()).Select(p => p.Name)
        );

    [Fact]
    public async Task The_document_declares_each_route_family_s_credential()
    {
        var (_, root) = await DocumentAsync();

        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("X-API-Key", schemes.GetProperty("ApiKey").GetProperty("name").GetString());
        Assert.Equal("header", schemes.GetProperty("ApiKey").GetProperty("in").GetString());
        Assert.Equal("bearer", schemes.GetProperty("AdminToken").GetProperty("scheme").GetString());
        Assert.Equal("ApiKey", SchemeOf(Operation(root, "/v1/runs/{runId}", "get")));
        Assert.Equal("AdminToken", SchemeOf(Operation(root, "/api/sessions", "get")));
        Assert.Equal("WebhookSignature", SchemeOf(Operation(root, "/hooks/{triggerId}", "post")));
        Assert.Equal("", SchemeOf(Operation(root, "/v1/file-library/uploads/{token}", "put")));
    }

    [Fact]
    public async Task Public_routes_describe_their_bodies_and_problem_answers()
    {
        var (_, root) = await DocumentAsync();

        var getRun = Operation(root, "/v1/runs/{runId}", "get").GetProperty("responses");
        Assert.True(getRun.GetProperty("200").GetProperty("content").TryGetProperty("application/json", out var ok));
        Assert.True(ok.GetProperty("schema").TryGetProperty("$ref", out _));
        Assert.True(getRun.GetProperty("404").GetProperty("content").TryGetProperty("application/problem+json", out _));
        var send = Operation(root, "/v1/runs/{runId}/messages", "post").GetProperty("responses");
        Assert.True(send.TryGetProperty("202", out _));
        Assert.True(send.TryGetProperty("409", out _));
        var stream = Operation(root, "/v1/runs/{runId}/stream", "get").GetProperty("responses");
        Assert.True(stream.GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _));
    }

    [Fact]
    public async Task The_api_reference_page_is_served_without_signing_in()
    {
        using var response = await _client.GetAsync("/docs", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Skein API reference", html);
        Assert.True(html.Contains("v1.json", StringComparison.Ordinal), html);
    }

    [Fact]
    public async Task Redocly_lint_finds_no_errors_in_the_document()
    {
        var (text, _) = await DocumentAsync();
        var file = Path.Combine(_factory.Data.Path, "openapi.json");
        await File.WriteAllTextAsync(file, text, TestContext.Current.CancellationToken);
        var tools = Path.Combine(RepositoryRoot(), "tests", "openapi");
        if (!Directory.Exists(Path.Combine(tools, "node_modules")))
        {
            var (installed, installOutput) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], tools);
            Assert.True(installed == 0, $"npm ci in tests/openapi exited with {installed}:\n{installOutput}");
        }

        var (exitCode, output) = await RunAsync(
            "npx",
            ["--no-install", "--prefix", tools, "redocly", "lint", file, "--format", "stylish"],
            tools
        );

        Assert.True(exitCode == 0, $"redocly lint exited with {exitCode}:\n{output}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        string directory
    )
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(LintDeadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, output.ToString());
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Skein.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Skein.slnx) was not found");
    }
}
