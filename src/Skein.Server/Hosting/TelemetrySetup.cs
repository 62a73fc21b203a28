using System.ComponentModel.DataAnnotations;
using System.Reflection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Skein.Engine.Telemetry;

namespace Skein.Server.Hosting;

/// <summary><c>Skein:Metrics</c>: the Prometheus scraping endpoint (SPEC section 11).</summary>
public sealed class MetricsOptions
{
    public const string Section = "Skein:Metrics";

    /// <summary>Serve Prometheus text at <see cref="Path"/> (no auth: keep it off public listeners).</summary>
    public bool Enabled { get; set; } = true;

    [Required, RegularExpression("^/.*")]
    public string Path { get; set; } = "/metrics";
}

/// <summary>
/// OpenTelemetry: metrics for <c>/metrics</c> (Skein's meter, the GenAI client metrics, ASP.NET Core, HttpClient
/// and the runtime) and, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, traces and metrics over OTLP, configured by
/// the standard <c>OTEL_*</c> variables (protocol, headers, service name, resource attributes).
/// </summary>
public static class TelemetrySetup
{
    public static WebApplicationBuilder AddSkeinTelemetry(this WebApplicationBuilder builder)
    {
        builder
            .Services.AddOptions<MetricsOptions>()
            .BindConfiguration(MetricsOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var configuration = builder.Configuration;
        var metrics = configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!metrics.Enabled && !otlp)
        {
            return builder;
        }

        var telemetry = builder
            .Services.AddOpenTelemetry()
            .ConfigureResource(r =>
            {
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    r.AddService("skein", serviceVersion: Version, autoGenerateServiceInstanceId: true);
                }
            });
        telemetry.WithMetrics(m =>
        {
            m.AddMeter(SkeinTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation();
            if (metrics.Enabled)
            {
                m.AddPrometheusExporter();
            }

            if (otlp)
            {
                m.AddOtlpExporter();
            }
        });
        if (otlp)
        {
            telemetry.WithTracing(t =>
                t.AddSource(SkeinTelemetry.Name)
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsPlumbing(http.Request.Path, metrics))
                    .AddHttpClientInstrumentation()
                    .AddEntityFrameworkCoreInstrumentation()
                    .AddOtlpExporter()
            );
        }

        return builder;
    }

    /// <summary>Maps the scraping endpoint when metrics are on.</summary>
    public static WebApplication MapSkeinMetrics(this WebApplication app)
    {
        var metrics = app.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>()
            ?? new MetricsOptions();
        if (metrics.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(metrics.Path);
        }

        return app;
    }

    /// <summary>The product version (the informational version, without the source revision).</summary>
    public static string Version { get; } =
        (
            typeof(TelemetrySetup)
                .Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
                ?.InformationalVersion
            ?? "0.0.0"
        ).Split('+')[0];

    private static bool IsPlumbing(PathString path, MetricsOptions metrics) =>
        path.StartsWithSegments("/healthz") || (metrics.Enabled && path.StartsWithSegments(metrics.Path));
}
