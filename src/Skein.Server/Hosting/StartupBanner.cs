using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skein.Server.Auth;

namespace Skein.Server.Hosting;

/// <summary>Tells the operator where Skein listens, where its data is, and how to reach the management API.</summary>
public static class StartupBanner
{
    public static void Register(WebApplication app, SkeinHostOptions options, AdminToken token)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>()
                .Features.Get<IServerAddressesFeature>()
                ?.Addresses
                ?? [];
            foreach (var address in addresses)
            {
                Console.WriteLine($"Skein is running: dashboard {address}/");
            }

            Console.WriteLine(
                $"Store: {options.Store}{(options.Store == "sqlite" ? " at " + options.SqlitePath : "")}"
            );
            Console.WriteLine(
                token.Generated
                    ? $"Management API token (shown once; also saved in "
                        + $"{Path.Combine(options.DataDirectory, "admin-token")}): {token.Value}"
                    : "Management API token: from SKEIN_ADMIN_TOKEN or the data folder's admin-token file"
            );
        });
    }
}
