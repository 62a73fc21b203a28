namespace Skein.Server.Hosting;

/// <summary>Placeholder home until the dashboard lands: says the server is up and where the API is.</summary>
public static class HomePage
{
    public const string Html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Skein</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"></head>
        <body style="font-family: system-ui, sans-serif; max-width: 48rem; margin: 3rem auto; padding: 0 1rem">
        <h1>Skein is running</h1>
        <p>The engine and store are up. The operator dashboard is being built; until then use the management API
        under <code>/api</code> (<code>Authorization: Bearer &lt;admin token&gt;</code>) and <code>/healthz</code>.</p>
        </body></html>
        """;
}
