using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Skein.Core.Users;
using Skein.Server.Auth;
using Skein.Store.Audit;
using Skein.Store.Rows;

namespace Skein.Server.Dashboard.Auth;

/// <summary>What a dashboard page's form posts need (on the page model, or on one handler to override it). A
/// page without it accepts posts from Admins only.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresAttribute(Capability capability) : Attribute
{
    public Capability Capability { get; } = capability;
}

/// <summary>
/// Every dashboard action (a form post) checks the signed-in user's role, as the API does: a post the role may not
/// make gets a 403 problem and a <c>denied</c> audit entry. Pages hide such actions; this holds when a post is
/// forged anyway.
/// </summary>
public sealed class PageAccessFilter(AuditLog audit) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(
        PageHandlerExecutingContext context,
        PageHandlerExecutionDelegate next
    )
    {
        var http = context.HttpContext;
        if (
            HttpMethods.IsGet(http.Request.Method)
            || HttpMethods.IsHead(http.Request.Method)
            || http.User.Identity?.IsAuthenticated != true
        )
        {
            await next();
            return;
        }

        var needed = context.HandlerMethod?.MethodInfo.GetCustomAttribute<RequiresAttribute>()?.Capability
            ?? context.HandlerInstance.GetType().GetCustomAttribute<RequiresAttribute>()?.Capability
            ?? Capability.Administer;
        var role = SkeinUser.RoleOf(http.User);
        if (RoleRules.May(role, needed))
        {
            await next();
            return;
        }

        var refusal = RoleRules.Refusal(role, needed);
        await audit.AppendAsync(
            SkeinUser.ActorOf(http.User).Value,
            "denied:" + http.Request.Path.Value + (context.HandlerMethod?.Name is { } h ? "?handler=" + h : ""),
            "page",
            Guid.Empty,
            AuditOutcomes.Denied,
            refusal.Message,
            CancellationToken.None
        );
        var details = Problems.Details(refusal);
        context.Result = new ObjectResult(details)
        {
            StatusCode = StatusCodes.Status403Forbidden,
            ContentTypes = { "application/problem+json" },
        };
    }
}
