using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Skein.Server.Tests.Access;

/// <summary>A user of each role on a test server, made through the API as an Admin would, each with a client that
/// sends the user's personal token.</summary>
public sealed record Member(Guid Id, string Email, string Role, string Token, HttpClient Client);

/// <summary>Users with personal tokens, one per role and server, made once per server.</summary>
public static class Members
{
    public const string Password = "a-long-enough-password";

    private static readonly ConcurrentDictionary<(SkeinApiFactory, string), Lazy<Task<Member>>> Made = new();

    /// <summary>The server's member of <paramref name="role"/> (made on first use).</summary>
    public static Task<Member> OfAsync(SkeinApiFactory server, string role) =>
        Made.GetOrAdd((server, role), key => new Lazy<Task<Member>>(() => CreateAsync(key.Item1, key.Item2))).Value;

    /// <summary>A new user of <paramref name="role"/> with a token of <paramref name="days"/> days.</summary>
    public static async Task<Member> CreateAsync(SkeinApiFactory server, string role, int days = 30)
    {
        var ct = TestContext.Current.CancellationToken;
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        var created = await server.Admin.PostAsJsonAsync(
            "/api/users",
            new
            {
                email,
                displayName = role + " user",
                role,
                password = Password,
            },
            ct
        );
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var user = await created.Content.ReadFromJsonAsync<JsonElement>(ct);
        var id = user.GetProperty("id").GetGuid();
        var token = await CreateTokenAsync(server.Admin, id, days);
        return new Member(id, email, role, token, Client(server, token));
    }

    public static async Task<string> CreateTokenAsync(HttpClient client, Guid userId, int days = 30)
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await client.PostAsJsonAsync(
            $"/api/users/{userId}/tokens",
            new { name = "tests", expiresInDays = days },
            ct
        );
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var token = body.GetProperty("token").GetString()!;
        Assert.StartsWith("skt_", token, StringComparison.Ordinal);
        return token;
    }

    public static HttpClient Client(SkeinApiFactory server, string token)
    {
        var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
