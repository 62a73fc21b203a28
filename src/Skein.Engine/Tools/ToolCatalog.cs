using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Skein.Core.Integrations;
using Skein.Core.Secrets;
using Skein.Store;
using Skein.Store.Rows;
using Skein.Store.Secrets;

namespace Skein.Engine.Tools;

/// <summary>Resolves a version's operations allowlist to tools. Only allowlisted tools are visible to the
/// model.</summary>
public sealed class ToolCatalog(
    IDbContextFactory<SkeinDbContext> contexts,
    IHttpClientFactory http,
    SecretStore secrets,
    IOptions<EngineOptions> options
)
{
    public const string HttpClientName = "skein-operations";

    /// <summary>The client for operations flagged idempotent: it retries transient failures (same
    /// Idempotency-Key).</summary>
    public const string IdempotentHttpClientName = "skein-operations-idempotent";

    private static readonly Dictionary<string, ITool> BuiltIns = new ITool[]
    {
        new PhronyWaitTool(),
        new EchoTool(),
        new DemoRefundTool(),
    }
        .Concat(AskUserTools.All())
        .ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static bool IsBuiltIn(string name) => BuiltIns.ContainsKey(name);

    public async Task<IReadOnlyDictionary<string, ITool>> ResolveAsync(
        Guid tenantId,
        IReadOnlyList<string> allowlist,
        CancellationToken cancellationToken
    )
    {
        var tools = new Dictionary<string, ITool>(StringComparer.Ordinal);
        var external = new List<string>();
        foreach (var name in allowlist)
        {
            if (BuiltIns.TryGetValue(name, out var builtIn))
            {
                tools[name] = builtIn;
            }
            else
            {
                external.Add(name);
            }
        }

        if (external.Count == 0)
        {
            return tools;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await (
            from op in db.Operations.AsNoTracking()
            join integration in db.Integrations.AsNoTracking() on op.IntegrationId equals integration.Id
            where op.TenantId == tenantId && external.Contains(op.Name)
            select new { op, integration }
        ).ToListAsync(cancellationToken);
        var auths = new Dictionary<Guid, IntegrationAuth>();
        foreach (var row in rows)
        {
            if (!auths.TryGetValue(row.integration.Id, out var auth))
            {
                auth = await ResolveAuthAsync(row.integration, cancellationToken);
                auths[row.integration.Id] = auth;
            }

            var client = http.CreateClient(row.op.Idempotent ? IdempotentHttpClientName : HttpClientName);
            tools[row.op.Name] = new HttpOperationTool(
                row.op,
                row.integration,
                client,
                options.Value.MaxToolResultBytes,
                auth
            );
        }

        return tools;
    }

    private async Task<IntegrationAuth> ResolveAuthAsync(
        IntegrationRow integration,
        CancellationToken cancellationToken
    )
    {
        if (integration.AuthType == IntegrationAuthTypes.None || string.IsNullOrEmpty(integration.AuthSecretName))
        {
            return IntegrationAuth.None;
        }

        var use = await secrets.GetForAsync(
            integration.TenantId,
            integration.AuthSecretName,
            SecretOwner.Integration(integration.Id),
            cancellationToken
        );
        if (use.Refusal is { } refusal)
        {
            return IntegrationAuth.Missing($"integration '{integration.Name}': {refusal}");
        }

        if (use.Value is not { } value)
        {
            return IntegrationAuth.Missing(
                $"integration '{integration.Name}': its auth secret '{integration.AuthSecretName}' is not set"
            );
        }

        return integration.AuthType == IntegrationAuthTypes.Bearer
            ? new IntegrationAuth("Authorization", "Bearer " + value, value, null)
            : new IntegrationAuth(integration.AuthHeaderName ?? "Authorization", value, value, null);
    }
}
