using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Skein.Server.Tests.Operations;

/// <summary>
/// A local OTLP/HTTP collector (<c>POST /v1/traces</c>, protobuf) that decodes each ExportTraceServiceRequest by
/// field numbers (opentelemetry-proto trace.proto), plus <c>/tool</c>: an integration endpoint that records the
/// <c>traceparent</c> header of each call.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app) => _app = app;

    public string BaseUrl => _app.Urls.Single();

    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();

    public ConcurrentQueue<string?> ToolTraceParents { get; } = new();

    public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", receiver.TracesAsync);
        app.MapPost("/v1/metrics", () => Results.Ok());
        app.MapPost("/v1/logs", () => Results.Ok());
        app.MapPost("/tool", (HttpRequest request) =>
        {
            receiver.ToolTraceParents.Enqueue(request.Headers["traceparent"].FirstOrDefault());
            return Results.Json(new { found = true });
        });
        app.MapPost("/unavailable/{**rest}", () => Results.StatusCode(503));
        await app.StartAsync(cancellationToken);
        return receiver;
    }

    private async Task<IResult> TracesAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var body = request.Headers.ContentEncoding.Contains("gzip")
            ? new GZipStream(request.Body, CompressionMode.Decompress)
            : request.Body;
        await body.CopyToAsync(buffer);
        foreach (var span in OtlpTraceDecoder.Decode(buffer.ToArray()))
        {
            Spans.Enqueue(span);
        }

        // An empty ExportTraceServiceResponse.
        return Results.Bytes([], "application/x-protobuf");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A span as exported: ids in lowercase hex, attributes as strings (arrays joined by commas).</summary>
public sealed record ReceivedSpan(
    string Scope,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    ulong StartNanos,
    IReadOnlyDictionary<string, string> Attributes,
    int StatusCode
);

/// <summary>Reads ExportTraceServiceRequest → ResourceSpans(2) → ScopeSpans(2) → Span, by field number.</summary>
public static class OtlpTraceDecoder
{
    public static List<ReceivedSpan> Decode(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var resourceSpans in Messages(request, 1))
        {
            foreach (var scopeSpans in Messages(resourceSpans, 2))
            {
                var scope = Messages(scopeSpans, 1).Select(s => String(s, 1)).FirstOrDefault() ?? "";
                spans.AddRange(Messages(scopeSpans, 2).Select(s => Span(scope, s)));
            }
        }

        return spans;
    }

    private static ReceivedSpan Span(string scope, byte[] span)
    {
        string traceId = "",
            spanId = "",
            parent = "",
            name = "";
        int kind = 0,
            status = 0;
        ulong start = 0;
        var attributes = new Dictionary<string, string>();
        var input = new CodedInputStream(span);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    traceId = Convert.ToHexStringLower(input.ReadBytes().ToByteArray());
                    break;
                case 2:
                    spanId = Convert.ToHexStringLower(input.ReadBytes().ToByteArray());
                    break;
                case 4:
                    parent = Convert.ToHexStringLower(input.ReadBytes().ToByteArray());
                    break;
                case 5:
                    name = input.ReadString();
                    break;
                case 6:
                    kind = input.ReadEnum();
                    break;
                case 7:
                    start = input.ReadFixed64();
                    break;
                case 9:
                    var kv = input.ReadBytes().ToByteArray();
                    attributes[String(kv, 1) ?? ""] = Value(Messages(kv, 2).FirstOrDefault() ?? []);
                    break;
                case 15:
                    status = Int(input.ReadBytes().ToByteArray(), 3);
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new ReceivedSpan(scope, traceId, spanId, parent, name, kind, start, attributes, status);
    }

    /// <summary>AnyValue: string 1, bool 2, int64 3, double 4, array 5 (ArrayValue.values 1).</summary>
    private static string Value(byte[] any)
    {
        var input = new CodedInputStream(any);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    return input.ReadString();
                case 2:
                    return input.ReadBool() ? "true" : "false";
                case 3:
                    return input.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
                case 4:
                    return input.ReadDouble().ToString(System.Globalization.CultureInfo.InvariantCulture);
                case 5:
                    return string.Join(",", Messages(input.ReadBytes().ToByteArray(), 1).Select(Value));
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return "";
    }

    private static List<byte[]> Messages(byte[] message, int field)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (
                WireFormat.GetTagFieldNumber(tag) == field
                && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited
            )
            {
                found.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }

    private static string? String(byte[] message, int field) =>
        Messages(message, field).Select(b => System.Text.Encoding.UTF8.GetString(b)).FirstOrDefault();

    private static int Int(byte[] message, int field)
    {
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (
                WireFormat.GetTagFieldNumber(tag) == field
                && WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint
            )
            {
                return input.ReadInt32();
            }

            input.SkipLastField();
        }

        return 0;
    }
}
