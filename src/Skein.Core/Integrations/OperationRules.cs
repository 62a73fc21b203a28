using System.Text.Json;

namespace Skein.Core.Integrations;

/// <summary>
/// The rules of an integration operation (a tool the model sees by its name). A null field is one the change leaves
/// as it is. Whether a name is a built-in tool's, and whether a schema compiles, are checked by the caller.
/// </summary>
public static class OperationRules
{
    public const int MaxNameLength = 64;
    public const int MaxDescriptionLength = 2000;
    public const int MaxTimeoutSec = 600;

    public static readonly IReadOnlyList<string> Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static DomainError? Check(
        string? name,
        string? method,
        string? path,
        string? description,
        int? timeoutSec,
        int? approvalTimeoutSec,
        JsonElement? argumentsSchema
    )
    {
        if (name is not null && !IsValidName(name))
        {
            return DomainError.Invalid(
                $"an operation name is 1 to {MaxNameLength} letters, digits, '_' or '-' "
                    + "(it is the tool name the model sees)"
            );
        }

        if (method is not null && !Methods.Contains(method.ToUpperInvariant()))
        {
            return DomainError.Invalid("method must be GET, POST, PUT, PATCH or DELETE");
        }

        if (path is not null && (path.Length > BaseUrl.MaxLength || path.Contains("://", StringComparison.Ordinal)))
        {
            return DomainError.Invalid(
                "path is a template relative to the integration's base URL, such as /orders/{orderId}"
            );
        }

        if (timeoutSec is < 1 or > MaxTimeoutSec || approvalTimeoutSec is < 1)
        {
            return DomainError.Invalid($"timeoutSec must be 1 to {MaxTimeoutSec} and approvalTimeoutSec at least 1");
        }

        if (description is { Length: > MaxDescriptionLength })
        {
            return DomainError.Invalid($"a description is at most {MaxDescriptionLength} characters");
        }

        return argumentsSchema is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }
            ? DomainError.Invalid("argumentsSchema must be a JSON Schema object")
            : null;
    }

    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
