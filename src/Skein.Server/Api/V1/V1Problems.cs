using Skein.Core;

namespace Skein.Server.Api.V1;

/// <summary>The public API's answers for ids it will not reveal and callers it will not serve.</summary>
internal static class V1Problems
{
    /// <summary>Unknown ids and ids outside the key's scope look the same, so nothing leaks (SPEC section 4).</summary>
    public static IResult NotFound(string what, Guid id) => Problems.From(DomainError.NotFound(what, id));

    public static IResult Forbidden(string code, string detail) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: StatusCodes.Status403Forbidden,
            title: code,
            type: $"urn:skein:error:{code}"
        );

    public static IResult BadRequest(string detail) => Problems.Invalid(detail);
}
