using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Application.Manifests;
using Skein.Manifests.Parsing;
using Skein.Manifests.Planning;
using Skein.Server.Auth;
using Skein.Server.Sse;
using Skein.Store.Sessions;

namespace Skein.Server.Api.Admin;

/// <summary>Agents as code (SPEC sections 7 and 8): apply a manifest (or plan it with a dry run), export an agent, and
/// the admin run stream the CLI follows.</summary>
public static class ManifestAdminEndpoints
{
    public const string YamlContentType = "application/yaml";

    /// <summary>Largest apply body: a manifest of <see cref="YamlBounds.MaxChars"/> plus a values file.</summary>
    public const int MaxBodyBytes = 2 * YamlBounds.MaxChars + 64 * 1024;

    private static readonly Microsoft.AspNetCore.Http.Features.FormOptions FormLimits = new()
    {
        MultipartBodyLengthLimit = MaxBodyBytes,
        ValueLengthLimit = YamlBounds.MaxChars,
        ValueCountLimit = 16,
        MultipartHeadersCountLimit = 8,
    };

    public sealed record ProblemItem(string Path, int? Line, string Message);

    /// <summary>The plan (SPEC section 8); <c>applied</c> is false for a dry run, which writes nothing.</summary>
    public sealed record ApplyResponse(
        bool DryRun,
        bool Applied,
        IReadOnlyList<PlannedChange> Changes,
        IReadOnlyList<ProblemItem> Warnings
    );

    public static RouteGroupBuilder MapManifestAdmin(this RouteGroupBuilder api)
    {
        api.MapPost("/manifests/apply", ApplyAsync)
            .WithName("AdminApplyManifest")
            .WithSummary(
                "Apply a manifest (YAML body, or multipart parts manifest + values); dryRun=true only plans. 400 "
                    + "lists each error with path and line"
            )
            .Accepts<string>(YamlContentType, "application/x-yaml", "text/yaml", "text/plain", "multipart/form-data")
            .Produces<ApplyResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/agents/{agentId}/manifest", ExportAsync)
            .WithName("AdminExportManifest")
            .WithSummary(
                "The agent's subtree as manifest YAML (provider, services and operations it uses, versions, "
                    + "triggers); secrets become inputs"
            )
            .Produces<string>(StatusCodes.Status200OK, YamlContentType);
        api.MapGet("/runs/{runId}/stream", StreamAsync)
            .WithName("AdminStreamRunEvents")
            .WithSummary("Server-sent events of the run's session, like /v1/runs/{runId}/stream but never redacted")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<Ok<ApplyResponse>, ProblemHttpResult>> ApplyAsync(
        HttpRequest request,
        bool? dryRun,
        string? values,
        ManifestApply manifests,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        // Bounded before any work: the size here, depth, node count and aliases in the parser (YamlBounds).
        if (request.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }

        string? yaml;
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(FormLimits, cancellationToken);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
            {
                return e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                    ? TooLarge()
                    : Problems.Of("bad_request", "the multipart body could not be read: " + e.Message.Split('\n')[0]);
            }

            yaml = await PartAsync(form, "manifest", cancellationToken);
            values = await PartAsync(form, "values", cancellationToken) ?? values;
        }
        else
        {
            yaml = await ReadBoundedAsync(request.Body, cancellationToken);
            if (yaml is null)
            {
                return TooLarge();
            }
        }

        if (yaml is { Length: > YamlBounds.MaxChars } || values is { Length: > YamlBounds.MaxChars })
        {
            return TooLarge();
        }

        if (string.IsNullOrWhiteSpace(yaml))
        {
            return Problems.Invalid("the body must be a manifest (YAML), or a multipart form with a 'manifest' part");
        }

        var parsed = await ManifestParser.ParseAsync(yaml, values, cancellationToken);
        if (!parsed.IsValid)
        {
            return Invalid(parsed.Errors, parsed.Warnings);
        }

        var applied = await manifests.ApplyAsync(SkeinUser.ActorOf(user), parsed, dryRun ?? false, cancellationToken);
        if (!applied.IsSuccess)
        {
            return Problems.From(applied.Error);
        }

        var plan = applied.Value;
        return plan.IsValid
            ? TypedResults.Ok(
                new ApplyResponse(dryRun ?? false, !(dryRun ?? false), plan.Changes, Items(parsed.Warnings))
            )
            : Invalid(plan.Problems, parsed.Warnings);
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> ExportAsync(
        Guid agentId,
        ManifestApply manifests,
        CancellationToken cancellationToken
    )
    {
        var yaml = await manifests.ExportAsync(agentId, cancellationToken);
        return yaml.IsSuccess
            ? TypedResults.Text(yaml.Value, YamlContentType, Encoding.UTF8)
            : Problems.From(yaml.Error);
    }

    private static async Task<Results<ServerSentEventsResult<byte[]>, ProblemHttpResult>> StreamAsync(
        Guid runId,
        string? lastEventId,
        HttpContext http,
        SessionQueries queries,
        SessionEventStream stream,
        CancellationToken cancellationToken
    )
    {
        if (await queries.SessionOfRunAsync(runId, cancellationToken) is not { } sessionId)
        {
            return Problems.NotFound("run", runId);
        }

        var resume = SseStream.ResumePosition(http.Request, lastEventId);
        return resume.IsSuccess
            ? stream.Write(http, sessionId, resume.Value, redact: false)
            : Problems.From(resume.Error);
    }

    private static ProblemHttpResult Invalid(
        IReadOnlyList<ManifestProblem> errors,
        IReadOnlyList<ManifestProblem> warnings
    )
    {
        var problem = Problems.Invalid(string.Join("\n", errors.Select(e => e.ToString())));
        problem.ProblemDetails.Extensions["errors"] = Items(errors);
        problem.ProblemDetails.Extensions["warnings"] = Items(warnings);
        return problem;
    }

    private static List<ProblemItem> Items(IReadOnlyList<ManifestProblem> problems) =>
        [.. problems.Select(p => new ProblemItem(p.Path, p.Line, p.Message))];

    private static ProblemHttpResult TooLarge() =>
        Problems.Of(
            "payload_too_large",
            $"a manifest (and a values file) is at most {YamlBounds.MaxChars} characters each"
        );

    /// <summary>The body as UTF-8 text, or null when it is longer than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<string?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task<string?> PartAsync(IFormCollection form, string name, CancellationToken cancellationToken)
    {
        if (form.Files.GetFile(name) is { } file)
        {
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
            return await reader.ReadToEndAsync(cancellationToken);
        }

        return form.TryGetValue(name, out var value) ? value.ToString() : null;
    }
}
