using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Skein.Testing;

/// <summary>
/// A real Kestrel server on a free loopback port standing in for an integration (or a model endpoint):
/// records every request (method, path, query, headers, body) and answers through <see cref="Respond"/>.
/// </summary>
public sealed class RecordingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedHttpRequest> _requests = new();

    private RecordingServer(WebApplication app) => _app = app;

    public string BaseUrl => _app.Urls.Single();

    public IReadOnlyList<RecordedHttpRequest> Requests => [.. _requests];

    /// <summary>How to answer; the default is 200 with <c>{"ok": true}</c>.</summary>
    public Func<HttpContext, RecordedHttpRequest, Task> Respond { get; set; } =
        (context, _) => context.Response.WriteAsJsonAsync(new { ok = true });

    public static async Task<RecordingServer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new RecordingServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var recorded = new RecordedHttpRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body
        );
        _requests.Enqueue(recorded);
        await Respond(context, recorded);
    }
}

/// <summary>One received request; <see cref="RawTarget"/> is the path and query exactly as sent (still
/// percent-encoded).</summary>
public sealed record RecordedHttpRequest(
    string Method,
    string Path,
    string RawTarget,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body
)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
