using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Skein.Core;
using Skein.Core.Integrations;
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

        var method = new HttpMethod(operation.Method.ToUpperInvariant());
        var bodyless = method == HttpMethod.Get || method == HttpMethod.Delete;
        var target = OperationUrl.Build(integration.BaseUrl, operation.Path, invocation.Arguments, bodyless);
        if (target is not { Url: { } url })
        {
            return ToolOutcome.Fail($"{operation.Name}: {target.Error}; the request was not sent");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(operation.TimeoutSec));
        var root = new Uri(integration.BaseUrl);
        var withBody = !bodyless;
        try
        {
            for (var followed = 0; ; followed++)
            {
                using var request = NewRequest(method, url, withBody, invocation);
                using var response = await http.SendAsync(
                    request,
                    HttpCompletionOption.ResponseHeadersRead,
                    timeout.Token
                );
                var status = (int)response.StatusCode;
                var next = OperationRedirect.IsRedirect(status)
                    ? OperationRedirect.Next(root, url, status, method.Method, response.Headers.Location, followed)
                    : null;
                if (next is { Url: { } redirected })
                {
                    (url, method, withBody) = (redirected, new HttpMethod(next.Method), withBody && next.KeepBody);
                    continue;
                }

                var body = auth.Scrub(await ReadCappedAsync(response.Content, timeout.Token));
                if (!response.IsSuccessStatusCode)
                {
                    var why = next?.Refusal is { } refusal ? $" ({refusal})" : "";
                    return ToolOutcome.Fail($"HTTP {status} {response.ReasonPhrase}{why}: {body}");
                }

                return ToolOutcome.Ok(
                    IsJson(response.Content.Headers.ContentType) && TryParse(body, out var json)
                        ? json
                        : JsonSerializer.SerializeToElement(body)
                );
            }
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

    private HttpRequestMessage NewRequest(HttpMethod method, Uri url, bool withBody, ToolInvocation invocation)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", invocation.IdempotencyKey);
        if (auth.HeaderName is { } header)
        {
            request.Headers.TryAddWithoutValidation(header, auth.HeaderValue);
        }

        if (withBody)
        {
            request.Content = new StringContent(invocation.Arguments.GetRawText(), Encoding.UTF8, "application/json");
        }

        return request;
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
