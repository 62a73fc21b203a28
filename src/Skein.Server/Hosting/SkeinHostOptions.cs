namespace Skein.Server.Hosting;

/// <summary>
/// Where Skein keeps its data and which store it uses. Environment: <c>SKEIN_DATA_DIR</c>,
/// <c>Skein__Store</c> (<c>sqlite</c> | <c>postgres</c>), <c>ConnectionStrings__Skein</c> (SPEC section 8).
/// </summary>
public sealed record SkeinHostOptions(string DataDirectory, string Store, string? ConnectionString)
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static SkeinHostOptions From(IConfiguration configuration)
    {
        var dataDir = Path.GetFullPath(configuration["SKEIN_DATA_DIR"] is { Length: > 0 } d ? d : "data");
        var store = (configuration["Skein:Store"] ?? "sqlite").Trim().ToLowerInvariant();
        if (store is not ("sqlite" or "postgres"))
        {
            throw new InvalidOperationException($"Skein:Store must be 'sqlite' or 'postgres', not '{store}'");
        }

        var connection = configuration.GetConnectionString("Skein");
        if (store == "postgres" && string.IsNullOrWhiteSpace(connection))
        {
            throw new InvalidOperationException(
                "Skein:Store=postgres needs ConnectionStrings:Skein (env ConnectionStrings__Skein)"
            );
        }

        return new SkeinHostOptions(dataDir, store, connection);
    }

    public string SqlitePath => Path.Combine(DataDirectory, "skein.db");
}
