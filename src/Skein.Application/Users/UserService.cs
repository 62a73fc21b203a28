using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Skein.Application.Audit;
using Skein.Core;
using Skein.Core.Users;
using Skein.Store;
using Skein.Store.Rows;
using Skein.Store.Workspaces;

namespace Skein.Application.Users;

/// <summary>
/// Dashboard users and their personal management tokens (SPEC section 10): an Admin creates users with a role,
/// changes their role, disables them and resets their password; every user manages their own tokens. Each write
/// commits with its audit entry. Authentication of a presented password or token is here too, so the dashboard
/// sign-in and the API's bearer scheme apply the same rules (disabled users and expired or revoked tokens refused).
/// </summary>
public sealed partial class UserService(IDbContextFactory<SkeinDbContext> contexts, AuditTrail audit, TimeProvider time)
{
    private static readonly PasswordHasher<string> Hasher = new();
    private long _changes;
    private Guid? _builtInAdminId;

    /// <summary>Bumped by every write of this process, so caches of users (cookie checks) drop at once.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    public async Task<IReadOnlyList<UserView>> ListAsync(CancellationToken cancellationToken)
    {
        // The built-in admin's row is made on its first use; a listing shows it even before.
        await BuiltInAdminIdAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db
            .Users.AsNoTracking()
            .OrderBy(u => u.CreatedAt)
            .ThenBy(u => u.Email)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(UserView.From)];
    }

    public async Task<UserView?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        return row is null ? null : UserView.From(row);
    }

    public async Task<UserView?> FindAsync(string email, CancellationToken cancellationToken)
    {
        var normalized = UserRules.NormalizeEmail(email);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == normalized, cancellationToken);
        return row is null ? null : UserView.From(row);
    }

    /// <summary>The built-in admin's id (the bootstrap token acts as it), read once.</summary>
    public async Task<Guid> BuiltInAdminIdAsync(CancellationToken cancellationToken) =>
        _builtInAdminId ??= (await EnsureBuiltInAdminAsync(cancellationToken)).Id;

    /// <summary>The built-in <c>admin</c>'s row, made on first start (its password stays where it was).</summary>
    public async Task<UserView> EnsureBuiltInAdminAsync(CancellationToken cancellationToken)
    {
        if (await FindAsync(UserRules.BuiltInAdmin, cancellationToken) is { } existing)
        {
            return existing;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Users.Add(
            new UserRow
            {
                Id = Ids.New(),
                Email = UserRules.BuiltInAdmin,
                DisplayName = "Administrator",
                PasswordHash = "",
                Role = nameof(Role.Admin),
                BuiltIn = true,
                Stamp = NewStamp(),
                CreatedAt = time.GetUtcNow().UtcDateTime,
            }
        );
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node created it first; its row stands.
        }

        return await FindAsync(UserRules.BuiltInAdmin, cancellationToken)
            ?? throw new InvalidOperationException("the built-in admin could not be created");
    }

    /// <summary>Creates a user (Admin only; the endpoint and page check the caller's role).</summary>
    public async Task<Result<UserView>> CreateAsync(
        Actor actor,
        string? email,
        string? displayName,
        string? role,
        string? password,
        CancellationToken cancellationToken
    ) =>
        Changed(
            await UnitOfWork.RunAsync<UserView>(
                contexts,
                async db =>
                {
                    if (UserRules.CheckNew(email, displayName, password) is { } invalid)
                    {
                        return invalid;
                    }

                    var parsed = RoleRules.Parse(role);
                    if (!parsed.IsSuccess)
                    {
                        return parsed.Error;
                    }

                    var normalized = UserRules.NormalizeEmail(email!);
                    if (await db.Users.AnyAsync(u => u.Email == normalized, cancellationToken))
                    {
                        return DomainError.Conflict($"a user with email '{normalized}' exists");
                    }

                    var row = new UserRow
                    {
                        Id = Ids.New(),
                        Email = normalized,
                        DisplayName = displayName!.Trim(),
                        PasswordHash = Hasher.HashPassword(normalized, password!),
                        Role = parsed.Value.ToString(),
                        Stamp = NewStamp(),
                        CreatedAt = time.GetUtcNow().UtcDateTime,
                    };
                    db.Users.Add(row);
                    await RecordAsync(
                        db,
                        actor,
                        "user.created",
                        row.Id,
                        $"{row.Email} as {row.Role}",
                        cancellationToken
                    );
                    return UserView.From(row);
                },
                cancellationToken
            )
        );

    /// <summary>Changes a user's role, disabled flag, display name or password (only the values given).</summary>
    public async Task<Result<UserView>> UpdateAsync(
        Actor actor,
        Guid id,
        UserChange change,
        CancellationToken cancellationToken
    )
    {
        var result = await UnitOfWork.RunAsync<UserView>(
            contexts,
            async db =>
            {
                var row = await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
                if (row is null)
                {
                    return DomainError.NotFound("user", id);
                }

                Role? role = null;
                if (change.Role is not null)
                {
                    var parsed = RoleRules.Parse(change.Role);
                    if (!parsed.IsSuccess)
                    {
                        return parsed.Error;
                    }

                    role = parsed.Value;
                }

                var refused = UserRules.CheckChange(row.BuiltIn, role, change.Disabled, change.Password is not null)
                    ?? (change.DisplayName is null ? null : UserRules.CheckDisplayName(change.DisplayName))
                    ?? (change.Password is null ? null : UserRules.CheckPassword(change.Password));
                if (refused is not null)
                {
                    return refused;
                }

                var notes = new List<string>();
                if (role is { } r && r.ToString() != row.Role)
                {
                    notes.Add($"role {row.Role} → {r}");
                    row.Role = r.ToString();
                }

                if (change.Disabled is { } disabled && disabled != row.Disabled)
                {
                    notes.Add(disabled ? "disabled" : "enabled");
                    row.Disabled = disabled;
                    row.Stamp = NewStamp();
                }

                if (change.DisplayName is { } name && name.Trim() != row.DisplayName)
                {
                    notes.Add($"display name '{name.Trim()}'");
                    row.DisplayName = name.Trim();
                }

                if (change.Password is { } password)
                {
                    notes.Add("password reset");
                    row.PasswordHash = Hasher.HashPassword(row.Email, password);
                    row.Stamp = NewStamp();
                }

                if (notes.Count > 0)
                {
                    await RecordAsync(db, actor, "user.updated", row.Id, string.Join(", ", notes), cancellationToken);
                }

                return UserView.From(row);
            },
            cancellationToken
        );
        return Changed(result);
    }

    /// <summary>The user a password signs in, or null: unknown, disabled, wrong password, or the built-in admin
    /// (whose password the server's <c>OperatorAccount</c> checks).</summary>
    public async Task<UserView?> VerifyPasswordAsync(
        string? email,
        string? password,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrEmpty(email) || string.IsNullOrEmpty(password) || email.Length > UserRules.MaxEmailLength)
        {
            return null;
        }

        var normalized = UserRules.NormalizeEmail(email);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == normalized, cancellationToken);
        if (row is null || row.BuiltIn || row.Disabled || row.PasswordHash.Length == 0)
        {
            return null;
        }

        return Hasher.VerifyHashedPassword(row.Email, row.PasswordHash, password) == PasswordVerificationResult.Failed
            ? null
            : UserView.From(row);
    }

    private Result<T> Changed<T>(Result<T> result)
    {
        if (result.IsSuccess)
        {
            Interlocked.Increment(ref _changes);
        }

        return result;
    }

    private async Task RecordAsync(
        SkeinDbContext db,
        Actor actor,
        string action,
        Guid userId,
        string note,
        CancellationToken cancellationToken
    ) =>
        audit.Record(
            db,
            await DefaultWorkspace.FindIdAsync(db, cancellationToken) ?? Guid.Empty,
            actor,
            action,
            "user",
            userId,
            note
        );

    private static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
