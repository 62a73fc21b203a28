using Skein.Application;
using Skein.Engine;
using Skein.Server.Auth;
using Skein.Server.Hosting;

var builder = WebApplication.CreateBuilder(args);
var options = SkeinHostOptions.From(builder.Configuration);
Directory.CreateDirectory(options.DataDirectory);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls(SkeinHostOptions.DefaultUrl);
}

var adminToken = AdminToken.Load(builder.Configuration, options.DataDirectory);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(adminToken);
builder.Services.AddSkeinStorage(options);
builder.Services.AddSkeinEngine();
builder.Services.AddSkeinApplication();
builder.Services.AddSkeinApi();
builder.Services.AddSkeinDataProtection(options, builder.Configuration);
builder.Services.AddSkeinAuth();
builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");

var app = builder.Build();
app.UseSkeinPipeline();
app.MapHealthChecks("/healthz");
app.MapSkeinEndpoints();

StartupBanner.Register(app, options, adminToken);
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
