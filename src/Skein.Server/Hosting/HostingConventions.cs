using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Skein.Server.Hosting;

/// <summary>
/// How Skein behaves as a process (SPEC section 11): the content root is the application's folder (a published or
/// <c>bin/</c> build started from any directory reads its appsettings and serves the dashboard's assets), while the
/// data folder stays relative to the working directory; the standard URL settings win over the loopback default;
/// forwarded headers are read from configured proxies only; shutdown is bounded; noisy categories are quiet by
/// default.
/// </summary>
public static class HostingConventions
{
    /// <summary>Logging levels that apply unless configuration says otherwise (appsettings, environment).</summary>
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        // EF Core logs every SQL statement at Information: off unless this category is lowered explicitly.
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Migrations"] = "Error",
        ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
        // Retries are logged by Skein, one Warning line per failed attempt (see EngineServiceCollectionExtensions);
        // Polly's own events carry the whole exception.
        ["Logging:LogLevel:Polly"] = "Error",
        // A start failure is printed as one line by Program; the host's own report of it is a stack trace.
        ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical",
    };

    /// <summary>A builder whose content root is the application's folder when Skein runs as its own process (a
    /// test host keeps the root its factory chose).</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var ownProcess = System.Reflection.Assembly.GetEntryAssembly() == typeof(HostingConventions).Assembly;
        var options = new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = ownProcess && !ContentRootConfigured(args) ? AppContext.BaseDirectory : null,
        };
        var builder = WebApplication.CreateBuilder(options);
        builder.Configuration.Sources.Insert(
            0,
            new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = Defaults }
        );
        return builder;
    }

    /// <summary>Listen where ASP.NET Core's own settings say; loopback:5080 only when none is set.</summary>
    public static WebApplicationBuilder UseSkeinUrls(this WebApplicationBuilder builder)
    {
        var c = builder.Configuration;
        var configured =
            !string.IsNullOrEmpty(c["urls"])
            || !string.IsNullOrEmpty(c["http_ports"])
            || !string.IsNullOrEmpty(c["https_ports"])
            || c.GetSection("Kestrel:Endpoints").Exists();
        if (!configured)
        {
            builder.WebHost.UseUrls(SkeinHostOptions.DefaultUrl);
        }

        return builder;
    }

    /// <summary>
    /// <c>X-Forwarded-For</c>/<c>-Proto</c> are honoured only from <c>Skein:Proxy:KnownNetworks</c> (CIDR list,
    /// comma-separated or an array) and <c>Skein:Proxy:KnownProxies</c> (addresses); nothing configured, nothing read.
    /// Shutdown waits at most <c>Skein:ShutdownTimeout</c> (default 3 s) for in-flight requests and commits.
    /// </summary>
    public static WebApplicationBuilder AddSkeinHosting(this WebApplicationBuilder builder)
    {
        var c = builder.Configuration;
        var networks = List(c.GetSection("Skein:Proxy:KnownNetworks"));
        var proxies = List(c.GetSection("Skein:Proxy:KnownProxies"));
        if (networks.Count > 0 || proxies.Count > 0)
        {
            builder.Services.Configure<ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                foreach (var network in networks)
                {
                    o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
                }

                foreach (var proxy in proxies)
                {
                    o.KnownProxies.Add(IPAddress.Parse(proxy));
                }
            });
        }

        var shutdown = c.GetValue<TimeSpan?>("Skein:ShutdownTimeout") ?? TimeSpan.FromSeconds(3);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdown);
        return builder;
    }

    /// <summary>Forwarded headers first, when proxies are configured.</summary>
    public static WebApplication UseSkeinForwardedHeaders(this WebApplication app)
    {
        var c = app.Configuration;
        if (
            List(c.GetSection("Skein:Proxy:KnownNetworks")).Count > 0
            || List(c.GetSection("Skein:Proxy:KnownProxies")).Count > 0
        )
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    private static bool ContentRootConfigured(string[] args) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"))
        || args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase));

    private static List<string> List(IConfigurationSection section) =>
        [
            .. (
                section.Value is { Length: > 0 } single ? single.Split(',') : section.GetChildren().Select(s => s.Value)
            )
                .Select(v => v?.Trim())
                .Where(v => !string.IsNullOrEmpty(v))
                .Select(v => v!),
        ];
}
