using System.ComponentModel.DataAnnotations;

namespace Skein.Store.Leases;

/// <summary>Run leases on a multi-node store, bound from <c>Skein:Leases</c> (the engine binds and validates
/// them).</summary>
public sealed class RunLeaseOptions
{
    public const string Section = "Skein:Leases";

    /// <summary>How long a lease lives without a heartbeat: how long the runs of a dead node wait before another node
    /// resumes them.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a node renews its leases and looks for runs whose lease expired. Well under <see
    /// cref="Duration"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(3);
}
