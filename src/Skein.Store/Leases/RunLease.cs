namespace Skein.Store.Leases;

/// <summary>
/// The right to drive one run, held by one node until it expires. <see cref="Version"/> grows with every claim,
/// and an append that carries the lease commits only while the store still holds this owner and version
/// (fencing): a node that lost its lease cannot commit. Version 0 is a lease that needs no fencing (a single-node
/// store, where only this process ever drives runs).
/// </summary>
public sealed record RunLease(Guid SessionId, Guid RunId, string Owner, long Version)
{
    public bool Fenced => Version > 0;

    /// <summary>
    /// The run's first lease ever (claims start at 1 and only grow): no driver held the run before, so nothing but
    /// non-driver appends (operators, users) can have been written since this node started it, and those the
    /// stream's sequence check catches.
    /// </summary>
    public bool FirstClaim => Version == 1;

    /// <summary>
    /// Set on a run's first lease while it is still to be written: the append that carries it (the run's start)
    /// inserts it (version 1, living this long) in its own transaction, and fails with <see cref="LeaseLostException"/>
    /// if the run already has a lease row. Saves a transaction per run start.
    /// </summary>
    public TimeSpan? ClaimWithAppend { get; init; }
}
