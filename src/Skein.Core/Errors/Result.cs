using System.Diagnostics.CodeAnalysis;

namespace Skein.Core;

/// <summary>
/// What an application-service method returns: a value, or the <see cref="DomainError"/> that refused it.
/// Callers branch on <see cref="IsSuccess"/>; nothing throws for a refused rule.
/// </summary>
public readonly record struct Result<T>
{
    private Result(T? value, DomainError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public DomainError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public static Result<T> Ok(T value) => new(value, null);

    public static Result<T> Fail(DomainError error) => new(default, error);

    public static implicit operator Result<T>(T value) => Ok(value);

    public static implicit operator Result<T>(DomainError error) => Fail(error);
}

/// <summary>A result with no value: success, or the refusing error.</summary>
public readonly record struct Unit
{
    public static readonly Unit Value;
}
