using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Application.Manifests;
using Skein.Core;
using Skein.Manifests.Parsing;
using Skein.Manifests.Planning;
using Skein.Server.Sse;
using Skein.Store.Sessions;

namespace Skein.Server.Api.Admin;

/// <summary>Agents as code (SPEC sections 7 and 8): apply a manifest (or plan it with a dry run), export an agent, and
/// the admin run stream the CLI follows.</summary>
public static class ManifestAdminEndpoints
{
    public const string YamlContentType = "application/yaml";

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
            .ProducesProblem(StatusCodes.Status400BadRequest);
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
        CancellationToken cancellationToken
    )
    {
        string? yaml;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            yaml = await PartAsync(form, "manifest", cancellationToken);
            values = await PartAsync(form, "values", cancellationToken) ?? values;
        }
        else
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            yaml = await reader.ReadToEndAsync(cancellationToken);
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

        var applied = await manifests.ApplyAsync(Actor.Admin, parsed, dryRun ?? false, cancellationToken);
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
