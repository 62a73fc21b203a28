namespace Skein.Store.Leases;

/// <summary>An append carried a run lease that another node has since claimed: nothing was committed.</summary>
public sealed class LeaseLostException(RunLease lease)
    : Exception($"the lease on run {lease.RunId} (version {lease.Version}) is no longer held by {lease.Owner}")
{
    public RunLease Lease { get; } = lease;
}
