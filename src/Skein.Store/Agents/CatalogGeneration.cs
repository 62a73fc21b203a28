namespace Skein.Store.Agents;

/// <summary>
/// Counts writes to what a run start resolves (agents, versions, providers, workspaces, secrets) in this process, so
/// <see cref="AgentCatalog"/> can keep resolved versions between starts and drop them on the next such write. Writes
/// made by other nodes are bounded by the cache's time to live instead.
/// </summary>
public static class CatalogGeneration
{
    private static long _value;

    public static long Current => Volatile.Read(ref _value);

    public static void Bump() => Interlocked.Increment(ref _value);
}
