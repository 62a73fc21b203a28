using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Skein.Server.Auth;
using Skein.Server.Sse;

namespace Skein.Server.Hosting;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) and the API reference page (Scalar, <c>/docs</c>), both public.
/// The document declares who may call what: <c>/v1</c> takes an API key in <c>X-API-Key</c>, <c>/api</c> the
/// admin token as a bearer, <c>/hooks</c> an HMAC signature header; every operation lists its problem answers
/// (any 4xx not declared by the route is described as problem JSON too).
/// </summary>
public static class ApiReference
{
    public const string DocumentPath = "/openapi/{documentName}.json";
    public const string DocsPath = "/docs";
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "AdminToken";
    public const string SignatureScheme = "WebhookSignature";
    private const string ProblemJson = "application/problem+json";
    private const string EventStream = "text/event-stream";
    private const string ProblemSchema = nameof(ProblemDetails);

    public static IServiceCollection AddSkeinOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            // Schema names must be plain identifiers: SseItem<byte[]> would be "SseItemOfByte[]".
            o.CreateSchemaReferenceId = type =>
                OpenApiOptions.CreateDefaultSchemaReferenceId(type)?.Replace("[]", "Array", StringComparison.Ordinal);
            o.AddDocumentTransformer(DescribeAsync);
            o.AddOperationTransformer(SecureOperation);
            o.AddOperationTransformer(DescribeStreamAsync);
        });

    public static WebApplication MapSkeinApiReference(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        app.MapScalarApiReference(
                DocsPath,
                o =>
                    // No fonts from Scalar's CDN: the page loads nothing from another origin (its CSP forbids it).
                    o.WithTitle("Skein API reference").WithOpenApiRoutePattern(DocumentPath).DisableDefaultFonts()
            )
            .AllowAnonymous();
        return app;
    }

    private static async Task DescribeAsync(
        OpenApiDocument document,
        OpenApiDocumentTransformerContext context,
        CancellationToken cancellationToken
    )
    {
        document.Info = new OpenApiInfo
        {
            Title = "Skein API",
            Version = "v1",
            Description =
                "Run LLM agents and read their sessions. /v1 is the public API (X-API-Key), /api the management "
                + "API (the admin token as a bearer), /hooks receives signed event-trigger deliveries. Every error "
                + $"is RFC 7807 problem JSON whose type is {Skein.Core.ErrorTypes.UrnPrefix}<code>.",
        };
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.Header,
            Description = "An API key (public API, /v1)",
        };
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The admin token (management API, /api)",
        };
        document.Components.SecuritySchemes[SignatureScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = Skein.Core.Triggers.WebhookSignature.HeaderName,
            Description =
                "sha256=<hex HMAC-SHA256, with the trigger's secret, of \"<X-Skein-Timestamp>.<X-Skein-Delivery "
                + "or empty>.<raw body>\"> (event triggers, /hooks); the timestamp must be within 5 minutes",
        };

        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        if (!document.Components.Schemas.ContainsKey(ProblemSchema))
        {
            document.Components.Schemas[ProblemSchema] = await context.GetOrCreateSchemaAsync(
                typeof(ProblemDetails),
                cancellationToken: cancellationToken
            );
        }

        foreach (var operation in (document.Paths ?? []).SelectMany(p => p.Value.Operations ?? []).Select(o => o.Value))
        {
            operation.Responses ??= [];
            if (!operation.Responses.Keys.Any(k => k.StartsWith('4')))
            {
                operation.Responses["4XX"] = Problem(document, "The request was refused (problem JSON)");
            }
        }

        document.Tags ??= new HashSet<OpenApiTag>();
        foreach (var tag in document.Tags)
        {
            tag.Description ??= tag.Name switch
            {
                "Public API" => "Start runs and read them with an API key",
                "Management" => "Configure agents, triggers, providers and sessions with the admin token",
                _ => tag.Name,
            };
        }
    }

    /// <summary>Which credential the route takes, from its path and authorization metadata.</summary>
    private static Task SecureOperation(
        OpenApiOperation operation,
        OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken
    )
    {
        var path = context.Description.RelativePath ?? "";
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        // Hook deliveries pass no authentication handler (AllowAnonymous) but must carry the signature header.
        var scheme =
            path.StartsWith("hooks/", StringComparison.Ordinal) ? SignatureScheme
            : anonymous ? null
            : path.StartsWith("v1/", StringComparison.Ordinal) ? ApiKeyScheme
            : path.StartsWith("api/", StringComparison.Ordinal) ? BearerScheme
            : null;
        var requirement = new OpenApiSecurityRequirement();
        if (scheme is not null)
        {
            requirement[new OpenApiSecuritySchemeReference(scheme, context.Document)] = [];
            operation.Responses ??= [];
            operation.Responses.TryAdd(
                "401",
                Problem(context.Document, "Missing or unknown credentials (problem JSON)")
            );
        }

        // An empty requirement says "no credentials": the route is public (the upload URL carries its own token).
        operation.Security = [requirement];
        return Task.CompletedTask;
    }

    /// <summary>A stream's 200 names what each event's <c>data:</c> line holds, not the framework's item
    /// type.</summary>
    private static async Task DescribeStreamAsync(
        OpenApiOperation operation,
        OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken
    )
    {
        var returns = context.Description.SupportedResponseTypes.FirstOrDefault(r => r.StatusCode == 200)?.Type;
        if (
            returns == typeof(System.Net.ServerSentEvents.SseItem<byte[]>)
            && operation.Responses is { } responses
            && responses.TryGetValue("200", out var ok)
            && ok.Content is { } content
            && content.TryGetValue(EventStream, out var media)
        )
        {
            media.Schema = await context.GetOrCreateSchemaAsync(typeof(StreamEvent), null, cancellationToken);
            operation.Description =
                "Each event: `event: <kind>`, `data: <StreamEvent JSON>`, `id: <session event sequence>`; idle "
                + "streams get a `ping` event with empty data every 15 s.";
        }
    }

    private static OpenApiResponse Problem(OpenApiDocument? document, string description) =>
        new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemJson] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
            },
        };
}
