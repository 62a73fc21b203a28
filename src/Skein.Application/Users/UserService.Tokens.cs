using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Users;
using Skein.Store.Rows;

namespace Skein.Application.Users;

public sealed partial class UserService
{
    /// <summary>The user's tokens, newest first (revoked and expired ones included, marked).</summary>
    public async Task<IReadOnlyList<UserTokenView>> TokensAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db
            .UserTokens.AsNoTracking()
            .Where(t => t.UserId == userId)
            .OrderByDescending(t => t.CreatedAt)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(UserTokenView.From)];
    }

    /// <summary>Creates a personal token for <paramref name="userId"/>: the user themself or an Admin may. The
    /// secret is in the answer only; the store keeps its SHA-256 hash.</summary>
    public async Task<Result<CreatedToken>> CreateTokenAsync(
        Caller caller,
        Actor actor,
        Guid userId,
        string? name,
        int? expiresInDays,
        CancellationToken cancellationToken
    )
    {
        if (Forbidden(caller, userId) is { } forbidden)
        {
            return forbidden;
        }

        var days = UserRules.TokenDays(name, expiresInDays);
        if (!days.IsSuccess)
        {
            return days.Error;
        }

        var secret = UserRules.TokenPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        return Changed(
            await UnitOfWork.RunAsync<CreatedToken>(
                contexts,
                async db =>
                {
                    if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
                    {
                        return DomainError.NotFound("user", userId);
                    }

                    var now = time.GetUtcNow().UtcDateTime;
                    var row = new UserTokenRow
                    {
                        Id = Ids.New(),
                        UserId = userId,
                        Name = name!.Trim(),
                        Prefix = secret[..12],
                        Hash = Hash(secret),
                        CreatedAt = now,
                        ExpiresAt = now.AddDays(days.Value),
                    };
                    db.UserTokens.Add(row);
                    await RecordAsync(
                        db,
                        actor,
                        "user.token_created",
                        userId,
                        $"{row.Name} ({row.Prefix}…), expires {row.ExpiresAt:yyyy-MM-dd}",
                        cancellationToken
                    );
                    return new CreatedToken(UserTokenView.From(row), secret);
                },
                cancellationToken
            )
        );
    }

    /// <summary>Revokes a token at once (the user themself or an Admin).</summary>
    public async Task<Result<Unit>> RevokeTokenAsync(
        Caller caller,
        Actor actor,
        Guid userId,
        Guid tokenId,
        CancellationToken cancellationToken
    )
    {
        if (Forbidden(caller, userId) is { } forbidden)
        {
            return forbidden;
        }

        return Changed(
            await UnitOfWork.RunAsync<Unit>(
                contexts,
                async db =>
                {
                    var row = await db.UserTokens.FirstOrDefaultAsync(
                        t => t.Id == tokenId && t.UserId == userId,
                        cancellationToken
                    );
                    if (row is null)
                    {
                        return DomainError.NotFound("token", tokenId);
                    }

                    if (row.RevokedAt is null)
                    {
                        row.RevokedAt = time.GetUtcNow().UtcDateTime;
                        await RecordAsync(db, actor, "user.token_revoked", userId, row.Name, cancellationToken);
                    }

                    return Unit.Value;
                },
                cancellationToken
            )
        );
    }

    /// <summary>Who a presented <c>skt_…</c> token acts as, or null (unknown, expired, revoked, user
    /// disabled).</summary>
    public async Task<Caller?> AuthenticateTokenAsync(string secret, CancellationToken cancellationToken)
    {
        if (!secret.StartsWith(UserRules.TokenPrefix, StringComparison.Ordinal) || secret.Length > 100)
        {
            return null;
        }

        var hash = Hash(secret);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db
            .UserTokens.AsNoTracking()
            .Where(t => t.Hash == hash)
            .Join(db.Users.AsNoTracking(), t => t.UserId, u => u.Id, (t, u) => new { Token = t, User = u })
            .FirstOrDefaultAsync(cancellationToken);
        if (
            found is null
            || !UserRules.TokenValid(
                found.Token.ExpiresAt,
                found.Token.RevokedAt,
                found.User.Disabled,
                time.GetUtcNow().UtcDateTime
            )
        )
        {
            return null;
        }

        return new Caller(found.User.Id, found.User.Email, Enum.Parse<Role>(found.User.Role), found.Token.Id);
    }

    private static DomainError? Forbidden(Caller caller, Guid userId) =>
        caller.UserId == userId || caller.Role == Role.Admin
            ? null
            : new DomainError("forbidden", "a user's tokens are managed by the user themself or an Admin");

    private static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
