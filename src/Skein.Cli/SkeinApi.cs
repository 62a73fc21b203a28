using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Skein.Cli;

/// <summary>The management API (<c>/api</c>) with the admin bearer token. Problem responses become <see
/// cref="CliException"/>s.</summary>
public sealed class SkeinApi(HttpClient http) : IDisposable
{
    public HttpClient Http => http;

    public static SkeinApi Create(string server, string? token)
    {
        if (
            !Uri.TryCreate(server.TrimEnd('/') + "/", UriKind.Absolute, out var baseAddress)
            || baseAddress.Scheme is not ("http" or "https")
        )
        {
            throw new CliException($"--server must be an http(s) URL, not '{server}'");
        }

        var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var resolved = token is { Length: > 0 } ? token : TokenFromEnvironment();
        if (resolved is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", resolved);
        }

        return new SkeinApi(http);
    }

    public async Task<JsonElement> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path.TrimStart('/'), cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    public async Task<JsonElement> PostJsonAsync(string path, object? body, CancellationToken cancellationToken)
    {
        using var response = body is null
            ? await http.PostAsync(path.TrimStart('/'), null, cancellationToken)
            : await http.PostAsJsonAsync(path.TrimStart('/'), body, cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    public async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request,
        HttpCompletionOption completion,
        CancellationToken cancellationToken
    )
    {
        var response = await http.SendAsync(request, completion, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                await ReadAsync(response, cancellationToken);
            }
        }

        return response;
    }

    /// <summary>An agent id from its name or id.</summary>
    public async Task<Guid> AgentIdAsync(string agent, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(agent, out var id))
        {
            return id;
        }

        var agents = await GetJsonAsync("/api/agents", cancellationToken);
        return agents
            .GetProperty("items")
            .EnumerateArray()
            .Where(a => a.GetProperty("name").GetString() == agent)
            .Select(a => (Guid?)a.GetProperty("id").GetGuid())
            .FirstOrDefault()
            ?? throw new CliException($"no agent named '{agent}'");
    }

    /// <summary>A session's or user task's full id from its id or its short id (the last hex digits, as the
    /// dashboard and <c>skein tasks</c> show them), asking the server; a short id must name exactly one.</summary>
    public async Task<Guid> IdAsync(string text, string kind, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(text, out var id))
        {
            return id;
        }

        var found = await GetJsonAsync($"/api/ids/{Uri.EscapeDataString(text)}", cancellationToken);
        var matches = found
            .GetProperty("items")
            .EnumerateArray()
            .Where(m => m.GetProperty("kind").GetString() == kind)
            .Select(m => m.GetProperty("id").GetGuid())
            .ToList();
        return matches switch
        {
            [var only] => only,
            [] => throw new CliException($"no {kind} has an id ending in '{text}'"),
            _ => throw new CliException($"'{text}' is the end of several {kind} ids: give more digits or the full id"),
        };
    }

    /// <summary>Asks a yes/no question on the terminal (or reads the answer from redirected input); only "y" or
    /// "yes" agrees, and no answer (end of input) is a no.</summary>
    public static bool Confirm(string question)
    {
        Console.Write(question + " [y/N] ");
        var answer = Console.ReadLine()?.Trim();
        Console.WriteLine();
        return answer is not null
            && (
                answer.Equals("y", StringComparison.OrdinalIgnoreCase)
                || answer.Equals("yes", StringComparison.OrdinalIgnoreCase)
            );
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }

        throw new CliException(Describe((int)response.StatusCode, text));
    }

    public static string Describe(int status, string body)
    {
        if (status == 401)
        {
            return "401 unauthorized: pass --token or set SKEIN_ADMIN_TOKEN";
        }

        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            var title = problem.TryGetProperty("title", out var t) ? t.GetString() : null;
            var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : null;
            return $"{status} {title}: {detail}".TrimEnd(' ', ':');
        }
        catch (JsonException)
        {
            return $"{status}: {body}";
        }
    }

    public void Dispose() => http.Dispose();

    private static string? TokenFromEnvironment()
    {
        if (Environment.GetEnvironmentVariable("SKEIN_ADMIN_TOKEN") is { Length: > 0 } env)
        {
            return env;
        }

        var dataDir = Environment.GetEnvironmentVariable("SKEIN_DATA_DIR") is { Length: > 0 } d ? d : "data";
        var file = Path.Combine(dataDir, "admin-token");
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }
}
