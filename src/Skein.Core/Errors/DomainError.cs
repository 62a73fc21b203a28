namespace Skein.Core;

/// <summary>
/// A rule the domain refused. <see cref="Code"/> is one of <see cref="ErrorTypes"/>' stable codes, which also
/// fixes the HTTP status and the problem <c>type</c> every caller (API, dashboard, CLI) sees.
/// </summary>
public sealed record DomainError(string Code, string Message)
{
    /// <summary>Each problem of a refused document, when there are several (problem JSON's <c>errors</c>).</summary>
    public IReadOnlyList<string>? Errors { get; init; }

    public static DomainError IllegalTransition(string machine, object from, object to) =>
        new(DomainErrorCodes.IllegalTransition, $"{machine} cannot move from {from} to {to}");

    public static DomainError NotFound(string what, Guid id) => new(DomainErrorCodes.NotFound, $"unknown {what} {id}");

    public static DomainError Invalid(string message) => new(DomainErrorCodes.InvalidInput, message);

    public static DomainError Conflict(string message) => new(DomainErrorCodes.Conflict, message);
}

/// <summary>The most used codes of <see cref="ErrorTypes"/>, as constants for pattern matching.</summary>
public static class DomainErrorCodes
{
    public const string IllegalTransition = "illegal_transition";
    public const string NotFound = "not_found";
    public const string InvalidInput = "invalid_input";
    public const string Conflict = "conflict";
    public const string EgressRefused = "egress_refused";
    public const string SecretBoundElsewhere = "secret_bound_elsewhere";

    /// <summary>An answer to a user task that was already answered or cancelled.</summary>
    public const string TaskClosed = "task_closed";
}

/// <summary>Thrown where a caller asked for something the domain forbids and cannot carry a typed result.</summary>
public sealed class DomainException(DomainError error) : Exception(error.Message)
{
    public DomainError Error { get; } = error;
}
