using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Skein.Application;
using Skein.Application.Seeding;
using Skein.Engine;
using Skein.Server;
using Skein.Server.Api.Admin;
using Skein.Server.Api.Hooks;
using Skein.Server.Api.V1;
using Skein.Server.Api.V1.FileLibrary;
using Skein.Server.Auth;
using Skein.Server.Dashboard;
using Skein.Server.Hosting;
using Skein.Server.Security;
using Skein.Store;
using Skein.Store.Postgres;
using Skein.Store.Sqlite;

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

if (options.Store == "postgres")
{
    builder.Services.AddSkeinPostgresStore(options.ConnectionString!);
}
else
{
    builder.Services.AddSkeinSqliteStore(options.SqlitePath);
}

// Order matters: hosted services start in registration order, so the schema and seed data exist
// before the engine resumes runs.
builder.Services.AddHostedService<DatabaseMigrator>();
builder.Services.AddHostedService<Skein.Store.Secrets.LegacyProviderKeys>();
builder.Services.AddSingleton(new DemoSeedOptions(options.DataDirectory));
builder.Services.AddHostedService<DemoSeeder>();
builder.Services.AddSkeinEngine();
builder.Services.AddSkeinApplication();

builder.Services.AddSkeinProblems();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
builder.Services.AddSingleton<ApiKeyAuthenticator>();
builder.Services.AddSingleton<ApiTriggerGate>();
builder.Services.AddSingleton<IdempotentStarts>();
builder.Services.AddSingleton<V1Access>();
builder.Services.AddSkeinWebSecurity(builder.Configuration);

// Upload URLs are signed and secrets encrypted with the Data Protection key ring; it survives restarts. On PostgreSQL
// it lives in the database, so every node decrypts what any node protected; on SQLite (one node) in the data folder,
// or the folder Skein:KeyRingPath names.
var dataProtection = builder.Services.AddDataProtection().SetApplicationName("skein");
if (options.Store == "postgres")
{
    builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(
        sp => new ConfigureOptions<KeyManagementOptions>(o =>
            o.XmlRepository = new Skein.Store.Secrets.DatabaseKeyRing(
                sp.GetRequiredService<IDbContextFactory<SkeinDbContext>>(),
                sp.GetRequiredService<TimeProvider>()
            )
        )
    );
}
else
{
    var keyRing = builder.Configuration["Skein:KeyRingPath"] is { Length: > 0 } path
        ? path
        : Path.Combine(options.DataDirectory, "keys");
    dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keyRing));
}

builder
    .Services.AddOptions<FileLibraryOptions>()
    .BindConfiguration("Skein:Files")
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton<UploadTokens>();
builder.Services.AddSingleton<LibraryFileStorage>();
builder.Services.AddSingleton<FileReferences>();
builder
    .Services.AddAuthentication(AdminTokenAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, AdminTokenAuthenticationHandler>(
        AdminTokenAuthenticationHandler.SchemeName,
        null
    )
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
builder.Services.AddDashboard();
builder
    .Services.AddAuthorizationBuilder()
    .AddPolicy(ApiKeyAuthenticationHandler.SchemeName, p =>
        p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser()
    );
builder.Services.AddSkeinOpenApi();
builder.Services.AddSingleton<Skein.Server.Sse.SessionEventStream>();
builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseStaticFiles();
app.UseDashboardServerTiming();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseSkeinWebSecurity();

app.MapHealthChecks("/healthz");
app.MapSkeinApiReference();
app.MapGroup("/api")
    .RequireAuthorization()
    .WithTags("Management")
    .MapAgentAdmin()
    .MapSessionAdmin()
    .MapAccessAdmin()
    .MapUserTaskAdmin()
    .MapVersionAdmin()
    .MapManifestAdmin()
    .MapAgentLifecycleAdmin()
    .MapTriggerAdmin()
    .MapSecretAdmin()
    .MapIntegrationAdmin()
    .MapProviderAdmin();
app.MapHooks();
app.MapGroup("/v1")
    .RequireAuthorization(ApiKeyAuthenticationHandler.SchemeName)
    .WithTags("Public API")
    .MapV1Agents()
    .MapV1Runs()
    .MapV1RunStream()
    .MapV1FileLibrary();
app.MapDashboard();

StartupBanner.Register(app, options, adminToken);
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
