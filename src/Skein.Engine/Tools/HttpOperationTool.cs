using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Skein.Core;
using Skein.Store.Rows;

namespace Skein.Engine.Tools;

/// <summary>
/// An HTTP operation of an integration. Arguments fill <c>{name}</c> placeholders in the path; the rest
/// go as the JSON body (or the query string for GET/DELETE). The idempotency key travels as the
/// <c>Idempotency-Key</c> header so the receiver can drop a repeat. The integration's credential goes in
/// its header and is scrubbed from anything the model sees.
/// </summary>
public sealed class HttpOperationTool(
    OperationRow operation,
    IntegrationRow integration,
    HttpClient http,
    int maxResultBytes,
    IntegrationAuth auth
) : ITool
{
    private static readonly JsonElement OpenSchema = SkeinJson.Parse(
        """{"type":"object","additionalProperties":true}"""
    );

    public string Name => operation.Name;
    public string Description => operation.Description;
    public JsonElement ParametersSchema => operation.ArgumentsSchema is { } s ? SkeinJson.Parse(s) : OpenSchema;
    public bool Idempotent => operation.Idempotent;
    public bool RequiresApproval => operation.RequireApproval;
    public TimeSpan? ApprovalTimeout => operation.ApprovalTimeoutSec is { } sec ? TimeSpan.FromSeconds(sec) : null;

    public async Task<ToolOutcome> ExecuteAsync(ToolInvocation invocation, CancellationToken cancellationToken)
    {
        if (auth.Error is { } authError)
        {
            return ToolOutcome.Fail(authError);
        }

        var (path, rest) = FillPath(operation.Path, invocation.Arguments);
        var method = new HttpMethod(operation.Method.ToUpperInvariant());
        var bodyless = method == HttpMethod.Get || method == HttpMethod.Delete;
        var url = integration.BaseUrl.TrimEnd('/') + "/" + path.TrimStart('/');
        if (bodyless && rest.Count > 0)
        {
            url +=
                (url.Contains('?') ? "&" : "?")
                + string.Join(
                    "&",
                    rest.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}")
                );
        }

        using var request = new HttpRequestMessage(method, url);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", invocation.IdempotencyKey);
        if (auth.HeaderName is { } header)
        {
            request.Headers.TryAddWithoutValidation(header, auth.HeaderValue);
        }

        if (!bodyless)
        {
            request.Content = new StringContent(invocation.Arguments.GetRawText(), Encoding.UTF8, "application/json");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(operation.TimeoutSec));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var body = auth.Scrub(await ReadCappedAsync(response.Content, timeout.Token));
            if (!response.IsSuccessStatusCode)
            {
                return ToolOutcome.Fail($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {body}");
            }

            return ToolOutcome.Ok(
                IsJson(response.Content.Headers.ContentType) && TryParse(body, out var json)
                    ? json
                    : JsonSerializer.SerializeToElement(body)
            );
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ToolOutcome.Fail($"{operation.Name} timed out after {operation.TimeoutSec} s");
        }
        catch (HttpRequestException ex)
        {
            return ToolOutcome.Fail(auth.Scrub($"{operation.Name} failed: {ex.Message}"));
        }
    }

    private async Task<string> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[maxResultBytes + 1];
        var read = 0;
        while (
            read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n && n > 0
        )
        {
            read += n;
        }

        var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(read, maxResultBytes));
        return read > maxResultBytes ? text + $"… [truncated at {maxResultBytes} bytes]" : text;
    }

    private static (string Path, Dictionary<string, string> Leftover) FillPath(string template, JsonElement args)
    {
        var rest = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = template;
        if (args.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in args.EnumerateObject())
            {
                var value =
                    p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText();
                var placeholder = "{" + p.Name + "}";
                if (path.Contains(placeholder, StringComparison.Ordinal))
                {
                    path = path.Replace(placeholder, Uri.EscapeDataString(value), StringComparison.Ordinal);
                }
                else
                {
                    rest[p.Name] = value;
                }
            }
        }

        return (path, rest);
    }

    private static bool IsJson(MediaTypeHeaderValue? type) =>
        type?.MediaType is { } m
        && (
            m.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || m.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
        );

    private static bool TryParse(string text, out JsonElement json)
    {
        try
        {
            json = SkeinJson.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            json = default;
            return false;
        }
    }
}
