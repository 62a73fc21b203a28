using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Skein.Store;

namespace Skein.Engine.Tools;

/// <summary>Resolves a version's operations allowlist to tools. Only allowlisted tools are visible to the model.</summary>
public sealed class ToolCatalog(IDbContextFactory<SkeinDbContext> contexts, IHttpClientFactory http, IOptions<EngineOptions> options)
{
    public const string HttpClientName = "skein-operations";

    private static readonly Dictionary<string, ITool> BuiltIns = new ITool[] { new PhronyWaitTool(), new EchoTool(), new DemoRefundTool() }
        .Concat(AskUserTools.All())
        .ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static bool IsBuiltIn(string name) => BuiltIns.ContainsKey(name);

    public async Task<IReadOnlyDictionary<string, ITool>> ResolveAsync(Guid tenantId, IReadOnlyList<string> allowlist, CancellationToken cancellationToken)
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
        var rows = await (from op in db.Operations.AsNoTracking()
                          join integration in db.Integrations.AsNoTracking() on op.IntegrationId equals integration.Id
                          where op.TenantId == tenantId && external.Contains(op.Name)
                          select new { op, integration }).ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            tools[row.op.Name] = new HttpOperationTool(row.op, row.integration, http.CreateClient(HttpClientName), options.Value.MaxToolResultBytes);
        }

        return tools;
    }
}
