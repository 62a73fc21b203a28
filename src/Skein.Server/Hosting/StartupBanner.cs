using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skein.Server.Auth;

namespace Skein.Server.Hosting;

/// <summary>Tells the operator where Skein listens, where its data is, and where the management token is: log lines
/// (so JSON console logging stays JSON), never a secret's value.</summary>
public static partial class StartupBanner
{
    public static void Register(WebApplication app, SkeinHostOptions options, AdminToken token)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Skein.Server");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>()
                .Features.Get<IServerAddressesFeature>()
                ?.Addresses
                ?? [];
            foreach (var address in addresses)
            {
                Log.Listening(logger, address);
            }

            Log.Store(logger, options.Store, options.Store == "sqlite" ? options.SqlitePath : "(connection string)");
            if (token.Generated)
            {
                Log.TokenGenerated(logger, Path.Combine(options.DataDirectory, AdminToken.FileName));
            }
        });
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 1011,
            Level = LogLevel.Information,
            Message = "Skein is running: dashboard {Address}/"
        )]
        public static partial void Listening(ILogger logger, string address);

        [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Store: {Store} at {Location}")]
        public static partial void Store(ILogger logger, string store, string location);

        [LoggerMessage(
            EventId = 1013,
            Level = LogLevel.Warning,
            Message = "Management API token generated and saved in {File} (owner-only); "
                + "set SKEIN_ADMIN_TOKEN to choose it"
        )]
        public static partial void TokenGenerated(ILogger logger, string file);
    }
}
