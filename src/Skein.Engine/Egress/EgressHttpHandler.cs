using System.Net;
using System.Net.Sockets;
using Skein.Core.Egress;

namespace Skein.Engine.Egress;

/// <summary>
/// The primary handler of the tools' and models' HttpClients. It resolves the host itself and connects only to
/// addresses <see cref="EgressRules"/> accepts, so a name that resolves (or re-resolves, DNS rebinding) to a
/// private address is refused at the connection, whatever the configuration check saw. Automatic redirects are off:
/// they would carry custom credential headers to any host (tools follow same-origin redirects themselves).
/// </summary>
public static class EgressHttpHandler
{
    public static SocketsHttpHandler Create(EgressOptions options)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        if (!options.AllowPrivateNetworks)
        {
            handler.ConnectCallback = ConnectPublicAsync;
        }

        return handler;
    }

    private static async ValueTask<Stream> ConnectPublicAsync(
        SocketsHttpConnectionContext context,
        CancellationToken cancellationToken
    )
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(a => !EgressRules.IsRefused(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, EgressRules.Refused(host).Message);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // Connect to the checked addresses themselves, never to the name again.
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
