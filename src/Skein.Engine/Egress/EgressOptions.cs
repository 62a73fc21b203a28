namespace Skein.Engine.Egress;

/// <summary>Where outbound calls may go, bound from <c>Skein:Egress</c> (<c>Skein__Egress__…</c> in the
/// environment).</summary>
public sealed class EgressOptions
{
    public const string Section = "Skein:Egress";

    /// <summary>
    /// Allows integrations and model providers on loopback, private, link-local and CGNAT addresses (a model server
    /// on the same host, an internal API). Off by default: an agent's tools then cannot reach the host's own
    /// services or the cloud metadata endpoint.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }
}
