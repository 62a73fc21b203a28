using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Store.Rows;
using Skein.Store.Secrets;

namespace Skein.Engine.Tests.Storage;

/// <summary>Upgrading keeps provider keys: a key stored in plaintext before secrets existed moves into the secret
/// store.</summary>
public sealed class LegacyProviderKeyTests : EngineTestBase
{
    [Fact]
    public async Task A_plaintext_provider_key_moves_into_an_encrypted_secret_and_the_column_is_cleared()
    {
        var ct = TestContext.Current.CancellationToken;
        var agent = await Host.CreateAgentAsync(new Skein.Testing.AgentSpec { Name = "legacy" });
        Guid providerId;
        await using (var db = await Host.Contexts.CreateDbContextAsync(ct))
        {
            var provider = new LlmProviderRow
            {
                Id = Ids.New(),
                TenantId = agent.TenantId,
                Name = "old-openai",
                Kind = "openai",
                LegacyApiKey = "sk-legacy-123",
                CreatedAt = DateTime.UtcNow,
            };
            db.LlmProviders.Add(provider);
            await db.SaveChangesAsync(ct);
            providerId = provider.Id;
        }

        await new LegacyProviderKeys(Host.Contexts, Host.Secrets).StartAsync(ct);

        await using var check = await Host.Contexts.CreateDbContextAsync(ct);
        var moved = await check.LlmProviders.AsNoTracking().SingleAsync(p => p.Id == providerId, ct);
        Assert.Null(moved.LegacyApiKey);
        Assert.Equal("sk-legacy-123", await Host.Secrets.GetAsync(agent.TenantId, moved.ApiKeySecretName ?? "", ct));
        Assert.DoesNotContain(
            "sk-legacy-123",
            (await check.Secrets.AsNoTracking().SingleAsync(s => s.Name == moved.ApiKeySecretName, ct)).ProtectedValue
        );
    }
}
