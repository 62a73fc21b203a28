using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Skein.Application.Seeding;
using Skein.Server.Api.V1;
using Skein.Server.Api.V1.FileLibrary;
using Skein.Server.Auth;
using Skein.Server.Dashboard;
using Skein.Store;
using Skein.Store.Postgres;
using Skein.Store.Sqlite;

namespace Skein.Server.Hosting;

/// <summary>The server's service registrations, one method per concern, so Program.cs reads as a list.</summary>
public static class SkeinServices
{
    /// <summary>The store, its migrator and the demo seed; hosted services start in registration order, so the
    /// schema and seed data exist before the engine resumes runs. On SQLite the first of them takes the store for this
    /// server alone (<see cref="SingleServerLock"/>).</summary>
    public static IServiceCollection AddSkeinStorage(this IServiceCollection services, SkeinHostOptions options)
    {
        if (options.Store == "postgres")
        {
            services.AddSkeinPostgresStore(options.ConnectionString!);
        }
        else
        {
            services.AddHostedService(_ => new SingleServerLock(options.SqlitePath));
            services.AddSkeinSqliteStore(options.SqlitePath);
        }

        services.AddHostedService<DatabaseMigrator>();
        services.AddHostedService<Skein.Store.Secrets.LegacyProviderKeys>();
        services.AddSingleton(new DemoSeedOptions(options.DataDirectory));
        services.AddHostedService<DemoSeeder>();
        return services;
    }

    /// <summary>HTTP plumbing: problem answers, JSON enums, the API's auth helpers, files, OpenAPI, SSE.</summary>
    public static IServiceCollection AddSkeinApi(this IServiceCollection services)
    {
        services.AddSkeinProblems();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddSkeinApiKeys();
        services.AddSingleton<ApiTriggerGate>();
        services.AddSingleton<IdempotentStarts>();
        services.AddSingleton<V1Access>();
        services
            .AddOptions<FileLibraryOptions>()
            .BindConfiguration("Skein:Files")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<UploadTokens>();
        services.AddSingleton<LibraryFileStorage>();
        services.AddSingleton<FileReferences>();
        services.AddSkeinOpenApi();
        services.AddSingleton<Skein.Server.Sse.SessionEventStream>();
        return services;
    }

    /// <summary>
    /// Upload URLs are signed and secrets encrypted with the Data Protection key ring; it survives restarts. On
    /// PostgreSQL it lives in the database, so every node decrypts what any node protected; on SQLite (one node) in
    /// the data folder, or the folder Skein:KeyRingPath names.
    /// </summary>
    public static IServiceCollection AddSkeinDataProtection(
        this IServiceCollection services,
        SkeinHostOptions options,
        IConfiguration configuration
    )
    {
        var dataProtection = services.AddDataProtection().SetApplicationName("skein");
        if (options.Store == "postgres")
        {
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(
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
            var keyRing = configuration["Skein:KeyRingPath"] is { Length: > 0 } path
                ? path
                : Path.Combine(options.DataDirectory, "keys");
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keyRing));
        }

        return services;
    }

    /// <summary>Admin token and API key schemes, the dashboard's cookie, and the API key policy.</summary>
    public static IServiceCollection AddSkeinAuth(this IServiceCollection services)
    {
        services
            .AddAuthentication(AdminTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, AdminTokenAuthenticationHandler>(
                AdminTokenAuthenticationHandler.SchemeName,
                null
            )
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName,
                null
            );
        services.AddDashboard();
        services
            .AddAuthorizationBuilder()
            .AddPolicy(ApiKeyAuthenticationHandler.SchemeName, p =>
                p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser()
            );
        return services;
    }
}
