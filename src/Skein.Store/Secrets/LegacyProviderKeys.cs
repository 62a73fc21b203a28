using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Skein.Store.Secrets;

/// <summary>
/// Moves provider API keys stored in plaintext (before the secret store existed) into encrypted secrets at start, so an
/// upgrade keeps every provider working. Runs after the migrations; a no-op once no plaintext key is left.
/// </summary>
public sealed class LegacyProviderKeys(IDbContextFactory<SkeinDbContext> contexts, SecretStore secrets) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var providers = await db.LlmProviders.Where(p => p.LegacyApiKey != null).ToListAsync(cancellationToken);
        foreach (var provider in providers)
        {
            var name = provider.ApiKeySecretName ?? $"provider-{provider.Id}-key";
            await secrets.StageAsync(
                db,
                provider.TenantId,
                name,
                provider.LegacyApiKey ?? "",
                Core.Secrets.SecretOwner.Provider(provider.Id),
                cancellationToken
            );
            provider.ApiKeySecretName = name;
            provider.LegacyApiKey = null;
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
