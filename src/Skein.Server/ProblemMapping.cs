using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Skein.Core;

namespace Skein.Server;

/// <summary>
/// Every non-2xx answer is RFC 7807 problem JSON built by <see cref="Problems"/> from the one error table
/// (<see cref="ErrorTypes"/>); client mistakes never surface as 500, and no stack trace ever leaves the server.
/// </summary>
public static partial class ProblemMapping
{
    public static IServiceCollection AddSkeinProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c => c.ProblemDetails.Detail ??= Fallback(c));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<SkeinExceptionHandler>();
        return services;
    }

    /// <summary>A detail for the framework's own problems (status code pages), which come without one.</summary>
    private static string Fallback(ProblemDetailsContext context)
    {
        var request = context.HttpContext.Request;
        return context.ProblemDetails.Status switch
        {
            StatusCodes.Status401Unauthorized => "missing or unknown credentials",
            StatusCodes.Status403Forbidden => "the caller may not do this",
            StatusCodes.Status404NotFound => $"unknown route {request.Method} {request.Path}",
            StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not accept {request.Method}",
            _ => context.ProblemDetails.Title ?? "the request was refused",
        };
    }

    private sealed class SkeinExceptionHandler(IProblemDetailsService problems, ILogger<SkeinExceptionHandler> logger)
        : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(
            HttpContext context,
            Exception exception,
            CancellationToken cancellationToken
        )
        {
            var details = exception switch
            {
                DomainException d => Problems.Details(d.Error),
                BadHttpRequestException b => Problems.Details("bad_request", BadRequestDetail(b), b.StatusCode),
                _ => Problems.Details("internal_error", "An unexpected error occurred; it has been logged."),
            };
            if (details.Status >= 500)
            {
                Log.Unhandled(logger, exception, context.Request.Path);
            }

            context.Response.StatusCode = details.Status ?? StatusCodes.Status500InternalServerError;
            return await problems.TryWriteAsync(
                new ProblemDetailsContext
                {
                    HttpContext = context,
                    Exception = exception,
                    ProblemDetails = details,
                }
            );
        }

        // The framework's message names the parameter but can carry parser internals; keep the first line.
        private static string BadRequestDetail(BadHttpRequestException b) =>
            b.InnerException is System.Text.Json.JsonException
                ? "the request body is not valid JSON for this route"
                : b.Message.Split('\n')[0];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
        public static partial void Unhandled(ILogger logger, Exception exception, PathString path);
    }
}

/// <summary>
/// The one factory of problem answers: status, <c>type</c> (<c>urn:skein:error:&lt;code&gt;</c>) and title come
/// from <see cref="ErrorTypes"/>, the detail from the error. Endpoints, the exception handler and the dashboard
/// all build problems here.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult From(DomainError error) => TypedResults.Problem(Details(error));

    public static ProblemHttpResult Of(string code, string detail) => TypedResults.Problem(Details(code, detail));

    public static ProblemHttpResult Invalid(string detail) => Of(DomainErrorCodes.InvalidInput, detail);

    public static ProblemHttpResult NotFound(string what, Guid id) => From(DomainError.NotFound(what, id));

    public static ProblemDetails Details(DomainError error) => Details(error.Code, error.Message);

    /// <param name="status">Overrides the table's status, for framework errors that carry their own (413,
    /// 431…).</param>
    public static ProblemDetails Details(string code, string detail, int? status = null)
    {
        var type = ErrorTypes.Of(code);
        return new ProblemDetails
        {
            Status = status ?? type.Status,
            Title = code,
            Detail = detail,
            Type = ErrorTypes.Urn(code),
        };
    }

    public static int StatusOf(DomainError error) => ErrorTypes.Of(error.Code).Status;
}
