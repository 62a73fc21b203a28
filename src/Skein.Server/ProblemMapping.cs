using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Skein.Core;
using Skein.Store.Agents;

namespace Skein.Server;

/// <summary>
/// Every non-2xx answer is RFC 7807 problem JSON. Domain errors map to stable 4xx codes with the error
/// code as <c>type</c>; client mistakes never surface as 500, and no stack trace ever leaves the server.
/// </summary>
public static class ProblemMapping
{
    public static IServiceCollection AddSkeinProblems(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<SkeinExceptionHandler>();
        return services;
    }

    public static int StatusOf(DomainError error) =>
        error.Code switch
        {
            DomainErrorCodes.NotFound => StatusCodes.Status404NotFound,
            DomainErrorCodes.InvalidInput => StatusCodes.Status400BadRequest,
            DomainErrorCodes.IllegalTransition or DomainErrorCodes.Conflict or AgentCatalog.NoDeployedVersion =>
                StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };

    public static IResult Problem(DomainError error) =>
        TypedResults.Problem(
            detail: error.Message,
            statusCode: StatusOf(error),
            title: error.Code,
            type: $"urn:skein:error:{error.Code}"
        );

    public static IResult BadRequest(string detail) => Problem(new DomainError(DomainErrorCodes.InvalidInput, detail));

    private sealed class SkeinExceptionHandler(IProblemDetailsService problems, ILogger<SkeinExceptionHandler> logger)
        : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(
            HttpContext context,
            Exception exception,
            CancellationToken cancellationToken
        )
        {
            var (status, title, detail, type) = exception switch
            {
                DomainException d => (
                    StatusOf(d.Error),
                    d.Error.Code,
                    d.Error.Message,
                    $"urn:skein:error:{d.Error.Code}"
                ),
                BadHttpRequestException b => (
                    b.StatusCode,
                    "bad_request",
                    BadRequestDetail(b),
                    "urn:skein:error:bad_request"
                ),
                _ => (
                    StatusCodes.Status500InternalServerError,
                    "internal_error",
                    "An unexpected error occurred; it has been logged.",
                    "urn:skein:error:internal_error"
                ),
            };
            if (status >= 500)
            {
                logger.LogError(exception, "Unhandled error on {Path}", context.Request.Path);
            }

            context.Response.StatusCode = status;
            return await problems.TryWriteAsync(
                new ProblemDetailsContext
                {
                    HttpContext = context,
                    Exception = exception,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = status,
                        Title = title,
                        Detail = detail,
                        Type = type,
                    },
                }
            );
        }

        // The framework's message names the parameter but can carry parser internals; keep the first line.
        private static string BadRequestDetail(BadHttpRequestException b) =>
            b.InnerException is System.Text.Json.JsonException
                ? "the request body is not valid JSON for this route"
                : b.Message.Split('\n')[0];
    }
}
