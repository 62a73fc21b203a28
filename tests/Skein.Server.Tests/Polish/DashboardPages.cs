using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Skein.Server.Tests.Polish;

/// <summary>Dashboard pages read over plain HTTP (no browser): the admin's sign-in cookies and a page request as a
/// browser makes it (HTML accepted, redirects not followed).</summary>
public static partial class DashboardPages
{
    public static HttpClient Plain(SkeinApiFactory server) =>
        server.CreateClient(
            new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }
        );

    public static async Task<HttpResponseMessage> GetAsync(SkeinApiFactory server, string path, string? cookies)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        if (cookies is not null)
        {
            request.Headers.Add("Cookie", cookies);
        }

        return await Plain(server).SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Signs in as the admin through the form and returns the cookies to send (auth cookie
    /// included).</summary>
    public static async Task<string> SignedInCookiesAsync(SkeinApiFactory server)
    {
        var ct = TestContext.Current.CancellationToken;
        var client = Plain(server);
        var form = await client.GetAsync("/signin", ct);
        var token = TokenPattern().Match(await form.Content.ReadAsStringAsync(ct)).Groups[1].Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token,
                    ["username"] = "admin",
                    ["password"] = SkeinApiFactory.AdminPassword,
                }
            ),
        };
        request.Headers.Add("Cookie", string.Join("; ", SetCookies(form).Select(c => c.Split(';')[0])));
        var signedIn = await client.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return string.Join("; ", SetCookies(signedIn).Select(c => c.Split(';')[0]));
    }

    /// <summary>Posts a dashboard form as the page's browser would: the antiforgery token read from
    /// <paramref name="pagePath"/>, the page's cookies plus the antiforgery cookie.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(
        SkeinApiFactory server,
        string pagePath,
        string action,
        string cookies,
        Dictionary<string, string> fields
    )
    {
        var ct = TestContext.Current.CancellationToken;
        var page = await GetAsync(server, pagePath, cookies);
        var token = TokenPattern().Match(await page.Content.ReadAsStringAsync(ct)).Groups[1].Value;
        var all = string.Join("; ", new[] { cookies }.Concat(SetCookies(page).Select(c => c.Split(';')[0])));
        using var request = new HttpRequestMessage(HttpMethod.Post, action)
        {
            Content = new FormUrlEncodedContent(
                new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token }
            ),
        };
        request.Headers.Add("Cookie", all);
        return await Plain(server).SendAsync(request, ct);
    }

    private static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex TokenPattern();
}
