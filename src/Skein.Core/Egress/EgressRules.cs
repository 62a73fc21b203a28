using System.Net;
using System.Net.Sockets;

namespace Skein.Core.Egress;

/// <summary>
/// Where Skein's outbound calls (integration operations, model providers) may go. Unless private networks are
/// allowed (<c>Skein:Egress:AllowPrivateNetworks</c>), a destination in a loopback, private (RFC 1918, fc00::/7),
/// link-local (169.254/16 with the cloud metadata address, fe80::/10), unspecified, CGNAT (100.64/10), multicast or
/// reserved range is refused: an agent's tools must not reach the host's own services or its cloud's metadata.
/// Pure: the connect-time check resolves names and asks <see cref="IsRefused(IPAddress)"/> of every address.
/// </summary>
public static class EgressRules
{
    public const string RefusedCode = DomainErrorCodes.EgressRefused;
    public const string Setting = "Skein__Egress__AllowPrivateNetworks";

    /// <summary>True when <paramref name="address"/> is not a public unicast address.</summary>
    public static bool IsRefused(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsRefused(address.MapToIPv4());
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 or 10 or 127 => true, // this network / unspecified, RFC 1918, loopback
                100 => b[1] is >= 64 and <= 127, // CGNAT 100.64/10
                169 => b[1] == 254, // link-local, incl. 169.254.169.254 (cloud metadata)
                172 => b[1] is >= 16 and <= 31, // RFC 1918
                192 => (b[1] == 168) || (b[1] == 0 && b[2] == 0), // RFC 1918, IETF protocol assignments
                198 => b[1] is 18 or 19, // benchmarking 198.18/15
                >= 224 => true, // multicast, reserved, broadcast
                _ => false,
            };
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return true;
        }

        if (
            address.Equals(IPAddress.IPv6Loopback)
            || address.Equals(IPAddress.IPv6Any)
            || address.IsIPv6LinkLocal
            || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast
            || address.IsIPv6UniqueLocal
        )
        {
            return true;
        }

        // NAT64 (64:ff9b::/96) carries an IPv4 address: judge that one.
        var v6 = address.GetAddressBytes();
        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6[4..12].All(x => x == 0))
        {
            return IsRefused(new IPAddress(v6[12..]));
        }

        return false;
    }

    /// <summary>
    /// The check a configuration write can make without I/O: a base URL whose host is a refused address literal or
    /// a loopback name (<c>localhost</c>, <c>*.localhost</c>) is refused. Names are resolved, and every address
    /// judged, when a call connects.
    /// </summary>
    public static DomainError? CheckBaseUrl(string? baseUrl, bool allowPrivateNetworks)
    {
        if (allowPrivateNetworks || !Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var host = uri.IdnHost.TrimEnd('.');
        var refused = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            ? IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IsRefused(ip)
            : IsLoopbackName(host);
        return refused ? Refused(uri.Host) : null;
    }

    public static bool IsLoopbackName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);

    public static DomainError Refused(string host) =>
        new(
            RefusedCode,
            $"'{host}' is a loopback, private, link-local or otherwise non-public destination; outbound calls there "
                + $"are refused unless {Setting}=true"
        );
}
