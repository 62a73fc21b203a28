using Skein.Application;
using Skein.Engine;
using Skein.Server.Auth;
using Skein.Server.Hosting;
using Skein.Server.Security;

try
{
    var builder = HostingConventions.CreateBuilder(args);
    var options = SkeinHostOptions.From(builder.Configuration);
    Directory.CreateDirectory(options.DataDirectory);
    builder.UseSkeinUrls().AddSkeinHosting().AddSkeinTelemetry();

    var adminToken = AdminToken.Load(builder.Configuration, options.DataDirectory);
    builder.Services.AddSingleton(options);
    builder.Services.AddSingleton(adminToken);
    builder.Services.AddSkeinStorage(options);
    builder.Services.AddSkeinEngine();
    builder.Services.AddSkeinApplication();
    builder.Services.AddSkeinApi();
    builder.Services.AddSkeinDataProtection(options, builder.Configuration);
    builder.Services.AddSkeinAuth();
    builder.Services.AddSkeinWebSecurity(builder.Configuration);
    builder.Services.AddSkeinHealth();

    var app = builder.Build();
    app.UseSkeinForwardedHeaders();
    app.UseSkeinPipeline();
    app.UseSkeinWebSecurity();
    app.MapSkeinHealth();
    app.MapSkeinMetrics();
    app.MapSkeinEndpoints();

    StartupBanner.Register(app, options, adminToken);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    return StartupFailure.Report(ex);
}

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
