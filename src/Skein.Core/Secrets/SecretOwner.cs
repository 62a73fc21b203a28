namespace Skein.Core.Secrets;

/// <summary>
/// What a secret was created for, or first used by: one integration, provider or event trigger. A secret is usable
/// only by its owner, so a new integration cannot name another's credential and send it to a host of its choosing.
/// </summary>
public sealed record SecretOwner(string Kind, Guid Id)
{
    public const string IntegrationKind = "integration";
    public const string ProviderKind = "llm_provider";
    public const string TriggerKind = "trigger";
    public const int MaxKindLength = 32;

    public static SecretOwner Integration(Guid id) => new(IntegrationKind, id);

    public static SecretOwner Provider(Guid id) => new(ProviderKind, id);

    public static SecretOwner Trigger(Guid id) => new(TriggerKind, id);

    /// <summary>The owner stored in a row's two columns; null when the secret is not bound yet.</summary>
    public static SecretOwner? From(string? kind, Guid? id) => kind is not null && id is { } g ? new(kind, g) : null;

    public override string ToString() => $"{Kind.Replace('_', ' ')} {Id}";
}

/// <summary>Who may use a secret (SecretOwner): the binding rule.</summary>
public static class SecretBinding
{
    /// <summary>
    /// Whether <paramref name="consumer"/> may use the secret <paramref name="name"/>: yes when it owns it; when the
    /// secret is not bound yet, only if no one else names it (the consumer then becomes its owner); never when
    /// another owns it.
    /// </summary>
    public static DomainError? Check(
        string name,
        SecretOwner? owner,
        SecretOwner consumer,
        IReadOnlyList<SecretOwner> otherReferences
    )
    {
        if (owner is not null && owner != consumer)
        {
            return new DomainError(
                DomainErrorCodes.SecretBoundElsewhere,
                $"secret '{name}' belongs to {owner}; a secret is usable only by the integration or provider it "
                    + "was created for: create a secret of its own"
            );
        }

        return owner is null && otherReferences.Count > 0
            ? new DomainError(
                DomainErrorCodes.SecretBoundElsewhere,
                $"secret '{name}' is also named by {string.Join(", ", otherReferences)}; a secret is usable by one "
                    + "integration or provider only"
            )
            : null;
    }
}
