using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Application.Users;
using Skein.Core;
using Skein.Core.Users;
using Skein.Server.Auth;

namespace Skein.Server.Api.Admin;

/// <summary>Users and their personal tokens (SPEC section 10): users are an Admin's; tokens are the user's own
/// (or an Admin's to manage); <c>/me</c> is whoever asks.</summary>
public static class UserAdminEndpoints
{
    public static RouteGroupBuilder MapUserAdmin(this RouteGroupBuilder api)
    {
        api.MapPost("/users", CreateAsync)
            .WithName("AdminCreateUser")
            .WithSummary("Create a user with a role (Admin); 409 when the email is taken")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/users", ListAsync).WithName("AdminListUsers").WithSummary("Every user with their role (Admin)");
        api.MapPut("/users/{id}", UpdateAsync)
            .WithName("AdminUpdateUser")
            .WithSummary("Change a user's role, disabled flag, display name or password (Admin)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/users/{id}/tokens", TokensAsync)
            .WithName("AdminListUserTokens")
            .WithSummary("A user's personal tokens, without secrets (the user themself or an Admin)")
            .WithMetadata(RouteAccess.Self)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapPost("/users/{id}/tokens", CreateTokenAsync)
            .WithName("AdminCreateUserToken")
            .WithSummary("Create a personal management token (skt_…), shown once (the user themself or an Admin)")
            .WithMetadata(RouteAccess.Self)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/users/{id}/tokens/{tokenId}", RevokeTokenAsync)
            .WithName("AdminRevokeUserToken")
            .WithSummary("Revoke a personal token at once (the user themself or an Admin)")
            .WithMetadata(RouteAccess.Self)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/me", MeAsync)
            .WithName("AdminWhoAmI")
            .WithSummary("The caller: user, role and the token used, if any")
            .WithMetadata(RouteAccess.Self);
        return api;
    }

    public sealed record CreateUserBody(string? Email, string? DisplayName, string? Role, string? Password);

    public sealed record UpdateUserBody(string? Role, bool? Disabled, string? DisplayName, string? Password);

    public sealed record CreateTokenBody(string? Name, int? ExpiresInDays);

    public sealed record UserList(IReadOnlyList<UserView> Items);

    public sealed record TokenList(IReadOnlyList<UserTokenView> Items);

    public sealed record CreatedTokenResponse(Guid Id, string Token, string Name, DateTime ExpiresAt);

    public sealed record MeView(Guid Id, string Email, string DisplayName, Role Role, Guid? TokenId);

    private static async Task<Results<Created<UserView>, ProblemHttpResult>> CreateAsync(
        CreateUserBody? body,
        ClaimsPrincipal user,
        UserService users,
        CancellationToken cancellationToken
    )
    {
        var created = await users.CreateAsync(
            SkeinUser.ActorOf(user),
            body?.Email,
            body?.DisplayName,
            body?.Role,
            body?.Password,
            cancellationToken
        );
        return created.IsSuccess
            ? TypedResults.Created($"/api/users/{created.Value.Id}", created.Value)
            : Problems.From(created.Error);
    }

    private static async Task<Ok<UserList>> ListAsync(UserService users, CancellationToken cancellationToken) =>
        TypedResults.Ok(new UserList(await users.ListAsync(cancellationToken)));

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> UpdateAsync(
        Guid id,
        UpdateUserBody? body,
        ClaimsPrincipal user,
        UserService users,
        CancellationToken cancellationToken
    )
    {
        var change = new UserChange(body?.Role, body?.Disabled, body?.DisplayName, body?.Password);
        var updated = await users.UpdateAsync(SkeinUser.ActorOf(user), id, change, cancellationToken);
        return updated.IsSuccess ? TypedResults.Ok(updated.Value) : Problems.From(updated.Error);
    }

    private static async Task<Results<Ok<TokenList>, ProblemHttpResult>> TokensAsync(
        Guid id,
        ClaimsPrincipal user,
        UserService users,
        CancellationToken cancellationToken
    )
    {
        var caller = SkeinUser.CallerOf(user);
        return caller.UserId != id && caller.Role != Role.Admin
            ? Problems.Of("forbidden", "a user's tokens are listed to the user themself or an Admin")
            : TypedResults.Ok(new TokenList(await users.TokensAsync(id, cancellationToken)));
    }

    private static async Task<Results<Created<CreatedTokenResponse>, ProblemHttpResult>> CreateTokenAsync(
        Guid id,
        CreateTokenBody? body,
        ClaimsPrincipal user,
        UserService users,
        CancellationToken cancellationToken
    )
    {
        var created = await users.CreateTokenAsync(
            SkeinUser.CallerOf(user),
            SkeinUser.ActorOf(user),
            id,
            body?.Name,
            body?.ExpiresInDays,
            cancellationToken
        );
        if (!created.IsSuccess)
        {
            return Problems.From(created.Error);
        }

        var token = created.Value.Token;
        return TypedResults.Created(
            $"/api/users/{id}/tokens/{token.Id}",
            new CreatedTokenResponse(token.Id, created.Value.Secret, token.Name, token.ExpiresAt)
        );
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeTokenAsync(
        Guid id,
        Guid tokenId,
        ClaimsPrincipal user,
        UserService users,
        CancellationToken cancellationToken
    )
    {
        var revoked = await users.RevokeTokenAsync(
            SkeinUser.CallerOf(user),
            SkeinUser.ActorOf(user),
            id,
            tokenId,
            cancellationToken
        );
        return revoked.IsSuccess ? TypedResults.NoContent() : Problems.From(revoked.Error);
    }

    private static async Task<Results<Ok<MeView>, ProblemHttpResult>> MeAsync(
        ClaimsPrincipal user,
        UserService users,
        CancellationToken cancellationToken
    )
    {
        var caller = SkeinUser.CallerOf(user);
        var found = await users.GetAsync(caller.UserId, cancellationToken);
        return found is null
            ? Problems.From(DomainError.NotFound("user", caller.UserId))
            : TypedResults.Ok(new MeView(found.Id, found.Email, found.DisplayName, caller.Role, caller.TokenId));
    }
}
