using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Skein.Core.Limits;
using Skein.Core.Triggers;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Sessions;

namespace Skein.Server.Security;

/// <summary>Where a route finds the trigger whose <c>maxInputBytes</c> bounds its body.</summary>
public enum InputLimitScope
{
    /// <summary>Route value <c>agentId</c>: the agent's api trigger.</summary>
    AgentApiTrigger,

    /// <summary>Route value <c>runId</c>: the trigger that started the run's session.</summary>
    RunSession,

    /// <summary>Route value <c>triggerId</c>.</summary>
    Trigger,
}

/// <summary>Endpoint metadata: the body of this route is bounded by <see cref="InputLimits"/>.</summary>
public sealed record InputLimitMetadata(InputLimitScope Scope);

/// <summary>
/// Refuses a body over its trigger's (else the workspace's) <c>maxInputBytes</c> with a 413 problem before the
/// endpoint reads it (issue #15 item 4). A declared length is compared at once; a chunked body is read up to the
/// limit and no further. Bodies of at most <see cref="InputLimits.SmallestMaxInputBytes"/> never cost a lookup.
/// </summary>
public sealed class InputSizeLimit(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, InputLimitLookup limits)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<InputLimitMetadata>() is not { } metadata)
        {
            await next(context);
            return;
        }

        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        if (request.ContentLength is { } declared)
        {
            if (declared > InputLimits.SmallestMaxInputBytes)
            {
                var limit = await limits.ForAsync(metadata.Scope, request.RouteValues, cancellationToken);
                if (InputLimits.Check(declared, limit) is { } tooLarge)
                {
                    await Problems.From(tooLarge).ExecuteAsync(context);
                    return;
                }

                // Kestrel enforces the declared length; this makes it refuse anything beyond the limit too.
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                {
                    size.MaxRequestBodySize = limit;
                }
            }

            await next(context);
            return;
        }

        // Chunked: read what fits under the smallest limit; only a longer body looks its limit up.
        var buffer = new MemoryStream();
        context.Response.RegisterForDispose(buffer);
        var limitOrSmallest = InputLimits.SmallestMaxInputBytes;
        var looked = false;
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length <= limitOrSmallest)
                {
                    continue;
                }

                if (!looked)
                {
                    limitOrSmallest = await limits.ForAsync(metadata.Scope, request.RouteValues, cancellationToken);
                    looked = true;
                }

                if (InputLimits.Check(buffer.Length, limitOrSmallest) is { } tooLarge)
                {
                    await Problems.From(tooLarge).ExecuteAsync(context);
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        buffer.Position = 0;
        request.Body = buffer;
        request.ContentLength = buffer.Length;
        await next(context);
    }
}

/// <summary>The <c>maxInputBytes</c> in force for a route's trigger: the trigger's setting, else the
/// workspace's, else the default (unknown ids get the default; the endpoint answers 404).</summary>
public sealed class InputLimitLookup(TriggerQueries triggers, SessionQueries sessions, WorkspaceSettings workspaces)
{
    public async Task<int> ForAsync(
        InputLimitScope scope,
        RouteValueDictionary route,
        CancellationToken cancellationToken
    )
    {
        var (trigger, tenantId) = scope switch
        {
            InputLimitScope.AgentApiTrigger when Id(route, "agentId") is { } agentId => Of(
                await triggers.ApiTriggerAsync(agentId, cancellationToken)
            ),
            InputLimitScope.Trigger when Id(route, "triggerId") is { } triggerId => Of(
                await triggers.FindAsync(triggerId, cancellationToken)
            ),
            InputLimitScope.RunSession when Id(route, "runId") is { } runId => await SessionTriggerAsync(
                runId,
                cancellationToken
            ),
            _ => (null, null),
        };
        var own = trigger?.Type switch
        {
            TriggerTypes.Api => TriggerQueries.ApiSettings(trigger).MaxInputBytes,
            TriggerTypes.Event => TriggerQueries.Settings<EventTriggerSettings>(trigger).MaxInputBytes,
            _ => null,
        };
        var workspace =
            own is null && tenantId is { } tenant
                ? (await workspaces.GetAsync(tenant, cancellationToken)).MaxInputBytes
                : null;
        return InputLimits.Effective(own, workspace);
    }

    private static (TriggerRow? Trigger, Guid? TenantId) Of(TriggerRow? trigger) => (trigger, trigger?.TenantId);

    /// <summary>A dashboard test run's session has no trigger: the workspace's limit applies.</summary>
    private async Task<(TriggerRow? Trigger, Guid? TenantId)> SessionTriggerAsync(
        Guid runId,
        CancellationToken cancellationToken
    ) =>
        await sessions.RunWithSessionAsync(runId, cancellationToken) is { Session: var session }
            ? (
                session.TriggerId is { } triggerId ? await triggers.FindAsync(triggerId, cancellationToken) : null,
                session.TenantId
            )
            : (null, null);

    private static Guid? Id(RouteValueDictionary route, string name) =>
        route.TryGetValue(name, out var value) && Guid.TryParse(value?.ToString(), out var id) ? id : null;
}
