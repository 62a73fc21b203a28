using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Skein.Core;
using Skein.Core.Users;
using Skein.Store.Audit;
using Skein.Store.Rows;

namespace Skein.Server.Auth;

/// <summary>
/// What a management route needs: <see cref="Write"/> for POST/PUT/PATCH/DELETE, <see cref="Read"/> for GET and
/// HEAD. Put on a route group (<c>api.MapGroup("").WithMetadata(RouteAccess.Develop)</c>) so every route mapped
/// into it inherits it; a route's own metadata wins over its group's. A write route without any is Admin only.
/// </summary>
public sealed record RouteAccess(Capability Write, Capability Read = Capability.Read)
{
    public static readonly RouteAccess Operate = new(Capability.Operate);
    public static readonly RouteAccess Develop = new(Capability.Develop);
    public static readonly RouteAccess Administer = new(Capability.Administer, Capability.Administer);
    public static readonly RouteAccess ReadOnly = new(Capability.Administer);

    /// <summary>The caller's own things (their tokens, <c>/api/me</c>): every role; the service checks whose.</summary>
    public static readonly RouteAccess Self = new(Capability.Self, Capability.Self);

    public Capability For(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) ? Read : Write;
}

/// <summary>The requirement of the management API's default policy: the caller's role has the route's
/// capability (<see cref="RoleRules"/>).</summary>
public sealed class RoleRequirement : IAuthorizationRequirement
{
    public static readonly RoleRequirement Instance = new();
}

/// <summary>Checks <see cref="RoleRequirement"/> against the endpoint's <see cref="RouteAccess"/>.</summary>
public sealed class RoleAuthorizationHandler : AuthorizationHandler<RoleRequirement>
{
    internal const string RefusalItem = "skein.role-refusal";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        if (context.Resource is not HttpContext http || context.User.Identity?.IsAuthenticated != true)
        {
            return Task.CompletedTask;
        }

        var access = http.GetEndpoint()?.Metadata.GetMetadata<RouteAccess>() ?? RouteAccess.ReadOnly;
        var needed = access.For(http.Request.Method);
        var role = SkeinUser.RoleOf(context.User);
        if (RoleRules.May(role, needed))
        {
            context.Succeed(requirement);
        }
        else
        {
            http.Items[RefusalItem] = RoleRules.Refusal(role, needed);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// A management request the caller's role may not make gets a 403 problem (<c>forbidden</c>) and an audit entry
/// with outcome <c>denied</c> (the caller is authenticated, so entries are bounded by real users' requests).
/// </summary>
public sealed class RoleRefusalResultHandler(AuditLog audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(
        RequestDelegate next,
        HttpContext context,
        AuthorizationPolicy policy,
        PolicyAuthorizationResult authorizeResult
    )
    {
        if (authorizeResult.Forbidden && context.Items[RoleAuthorizationHandler.RefusalItem] is DomainError refusal)
        {
            await audit.AppendAsync(
                SkeinUser.ActorOf(context.User).Value,
                "denied:"
                    + (
                        context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
                        ?? context.Request.Path.Value
                    ),
                "route",
                Guid.Empty,
                AuditOutcomes.Denied,
                refusal.Message,
                CancellationToken.None
            );
            await Problems.From(refusal).ExecuteAsync(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
