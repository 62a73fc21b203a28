using System.Collections.Concurrent;

namespace Skein.Store.Manifests;

/// <summary>
/// Where applying a manifest writes secret values (provider keys, service credentials, event signing secrets). The one
/// path by which a manifest's secrets leave the apply; rows refer to secrets by name only.
/// </summary>
public interface ISecretSink
{
    Task SetAsync(Guid tenantId, string name, string value, CancellationToken cancellationToken);
}

/// <summary>
/// MERGE: placeholder until the encrypted secrets store (Skein.Store.Secrets.SecretStore) lands; register SecretStore
/// as <see cref="ISecretSink"/> instead. Keeps values in memory only, so secrets applied here do not survive a restart.
/// </summary>
public sealed class InMemorySecretSink : ISecretSink
{
    private readonly ConcurrentDictionary<(Guid, string), string> _values = new();

    public Task SetAsync(Guid tenantId, string name, string value, CancellationToken cancellationToken)
    {
        _values[(tenantId, name)] = value;
        return Task.CompletedTask;
    }

    public string? Get(Guid tenantId, string name) => _values.TryGetValue((tenantId, name), out var value) ? value : null;
}
