using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Skein.Core.Operators;
using Skein.Server.Dashboard.Auth;
using Skein.Server.Hosting;

namespace Skein.Server.Tests.Dashboard;

/// <summary>Sign-in guessing and cookie lifetime (issue #15 items 6 and 14): the rate limit holds for every
/// spelling of the path, an account locks after repeated failures, short passwords are refused, and signing out or
/// changing the password ends every cookie issued before.</summary>
[RunsLong(21)]
public sealed partial class SignInHardeningTests(ApiServers servers) : ApiTests(servers)
{
    /// <summary>A cookie-less client: the test keeps the cookies itself, to copy one as a thief would.</summary>
    private static HttpClient Plain(SkeinApiFactory server) =>
        server.CreateClient(
            new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
            {
                AllowAutoRedirect = false,
                HandleCookies = false,
            }
        );

    private static string Cookies(HttpResponseMessage response) =>
        string.Join(
            "; ",
            response.Headers.TryGetValues("Set-Cookie", out var values)
                ? values.Select(v => v.Split(';')[0]).Where(c => !c.EndsWith('=')).ToList()
                : []
        );

    /// <summary>Posts the sign-in form to <paramref name="path"/> (antiforgery token and cookie included).</summary>
    private static async Task<HttpResponseMessage> PostSignInAsync(
        HttpClient client,
        string user,
        string password,
        string path = "/signin"
    )
    {
        var form = await client.GetAsync("/signin", Ct);
        var token = TokenPattern().Match(await form.Content.ReadAsStringAsync(Ct)).Groups[1].Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token,
                    ["username"] = user,
                    ["password"] = password,
                }
            ),
        };
        request.Headers.Add("Cookie", Cookies(form));
        return await client.SendAsync(request, Ct);
    }

    /// <summary>Signs in and returns the <c>skein.auth</c> cookie (name=value).</summary>
    private static async Task<string> SignInCookieAsync(HttpClient client)
    {
        var response = await PostSignInAsync(client, "admin", SkeinApiFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return Cookies(response).Split("; ").Single(c => c.StartsWith("skein.auth=", StringComparison.Ordinal));
    }

    private static async Task<HttpStatusCode> GetWithCookieAsync(HttpClient client, string path, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return (await client.SendAsync(request, Ct)).StatusCode;
    }

    [StoreTheory]
    [InlineData("/signin/")]
    [InlineData("/SignIn")]
    public async Task Every_spelling_of_the_sign_in_path_shares_the_rate_limit(string path)
    {
        await using var own = await SkeinApiFactory.FreshAsync();
        var client = Plain(own);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= DashboardAuth.SignInAttemptsPerMinute; i++)
        {
            // Names of no account: the per-account lockout stays out of the way.
            statuses.Add((await PostSignInAsync(client, "nobody-" + i, "guess-" + i, path)).StatusCode);
        }

        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [StoreFact]
    public async Task After_repeated_failures_the_account_is_locked_even_for_the_right_password()
    {
        await using var own = await SkeinApiFactory.FreshAsync();
        var client = Plain(own);
        for (var i = 0; i < SignInBackoff.FreeFailures; i++)
        {
            Assert.Equal(
                HttpStatusCode.Unauthorized,
                (await PostSignInAsync(client, "admin", "wrong-password-" + i)).StatusCode
            );
        }

        var locked = await PostSignInAsync(client, "admin", SkeinApiFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.DoesNotContain("skein.auth=", Cookies(locked), StringComparison.Ordinal);
        Assert.Contains("try again in", await locked.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_configured_admin_password_under_twelve_characters_stops_the_start()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["SKEIN_ADMIN_PASSWORD"] = "short-pass1" })
            .Build();
        var seeder = new OperatorAccountSeeder(
            Server.Services.GetRequiredService<OperatorAccount>(),
            configuration,
            Server.Services.GetRequiredService<SkeinHostOptions>(),
            NullLogger<OperatorAccountSeeder>.Instance
        );

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => seeder.StartAsync(Ct));

        Assert.Contains("at least 12 characters", refused.Message, StringComparison.Ordinal);
        Assert.Equal(
            HttpStatusCode.Redirect,
            (await PostSignInAsync(Plain(Server), "admin", SkeinApiFactory.AdminPassword)).StatusCode
        );
    }

    [StoreFact]
    public async Task Signing_out_ends_every_copy_of_the_cookie()
    {
        var client = Plain(Server);
        var cookie = await SignInCookieAsync(client);
        Assert.Equal(HttpStatusCode.OK, await GetWithCookieAsync(client, "/api/agents", cookie));
        var home = await client.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Cookie", cookie } } },
            Ct
        );
        var token = TokenPattern().Match(await home.Content.ReadAsStringAsync(Ct)).Groups[1].Value;
        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/signout")
        {
            Content = new FormUrlEncodedContent(
                new Dictionary<string, string> { ["__RequestVerificationToken"] = token }
            ),
        };
        signOut.Headers.Add("Cookie", cookie + "; " + Cookies(home));
        Assert.Equal(HttpStatusCode.Redirect, (await client.SendAsync(signOut, Ct)).StatusCode);

        // The copy kept from before sign-out (as a thief would) no longer opens anything.
        Assert.Equal(HttpStatusCode.Unauthorized, await GetWithCookieAsync(client, "/api/agents", cookie));
        Assert.Equal(HttpStatusCode.Redirect, await GetWithCookieAsync(client, "/", cookie));
    }

    [StoreFact]
    public async Task A_new_password_ends_the_cookies_issued_under_the_old_one()
    {
        await using var own = await SkeinApiFactory.FreshAsync();
        var client = Plain(own);
        var cookie = await SignInCookieAsync(client);
        Assert.Equal(HttpStatusCode.OK, await GetWithCookieAsync(client, "/api/agents", cookie));

        await own.Services.GetRequiredService<OperatorAccount>().EnsureAsync("a-brand-new-password", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, await GetWithCookieAsync(client, "/api/agents", cookie));
    }

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex TokenPattern();
}
