namespace Skein.Store.Leases;

/// <summary>This process as a lease owner: unique per process, so a restarted node never mistakes an old lease for its
/// own.</summary>
public sealed class NodeIdentity
{
    public NodeIdentity()
    {
        Tag = Guid.NewGuid().ToString("N");
        Id = $"{Environment.MachineName}/{Environment.ProcessId}/{Tag}";
    }

    /// <summary>Host, process id and <see cref="Tag"/>: readable in the lease table.</summary>
    public string Id { get; }

    /// <summary>The unique part alone (32 hex digits), for compact messages between nodes.</summary>
    public string Tag { get; }
}
