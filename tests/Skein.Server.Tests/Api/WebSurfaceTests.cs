using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Skein.Server.Tests.Polish;
using Skein.Testing.Stores;

namespace Skein.Server.Tests.Api;

/// <summary>The web surface (issue #15 items 13, 18 and 19): no cross-origin writes with the dashboard cookie,
/// security headers on every response, Secure cookies over HTTPS, and a data folder only its user can read.</summary>
public sealed partial class WebSurfaceTests(ApiServers servers) : ApiTests(servers)
{
    private HttpClient Plain(string baseAddress = "http://localhost") =>
        Server.CreateClient(
            new WebApplicationFactoryClientOptions
            {
                AllowAutoRedirect = false,
                HandleCookies = false,
                BaseAddress = new Uri(baseAddress),
            }
        );

    private static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    private async Task<HttpResponseMessage> TerminateAsync(
        Dictionary<string, string> headers,
        string? cookies = null,
        bool bearer = false
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{Guid.NewGuid()}/terminate")
        {
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        if (cookies is not null)
        {
            request.Headers.Add("Cookie", cookies);
        }

        if (bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SkeinApiFactory.AdminToken);
        }

        return await Plain().SendAsync(request, Ct);
    }

    [StoreFact]
    public async Task A_cookie_write_from_another_origin_is_refused_with_403()
    {
        var cookies = await DashboardPages.SignedInCookiesAsync(Server);

        var byOrigin = await TerminateAsync(new() { ["Origin"] = "http://evil.example" }, cookies);
        var byFetchSite = await TerminateAsync(new() { ["Sec-Fetch-Site"] = "cross-site" }, cookies);

        Assert.Equal(HttpStatusCode.Forbidden, byOrigin.StatusCode);
        Assert.Contains("cross_origin_refused", await byOrigin.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, byFetchSite.StatusCode);

        // The same write from the dashboard's own origin, or with the bearer token, reaches the endpoint (404: no
        // such session).
        var sameOrigin = await TerminateAsync(
            new() { ["Origin"] = "http://localhost", ["Sec-Fetch-Site"] = "same-origin" },
            cookies
        );
        Assert.Equal(HttpStatusCode.NotFound, sameOrigin.StatusCode);
        var token = await TerminateAsync(new() { ["Origin"] = "http://evil.example" }, bearer: true);
        Assert.Equal(HttpStatusCode.NotFound, token.StatusCode);
    }

    [StoreTheory]
    [InlineData("/signin")]
    [InlineData("/")]
    [InlineData("/healthz")]
    [InlineData("/dashboard/dashboard.js")]
    [InlineData("/v1/agents")]
    [InlineData("/api/agents")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        var response = await Plain().GetAsync(path, Ct);

        var csp = string.Join(",", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [StoreFact]
    public async Task The_dashboard_pages_have_no_inline_script_or_style()
    {
        var cookies = await DashboardPages.SignedInCookiesAsync(Server);
        foreach (var path in new[] { "/", "/agents", "/review/approvals", "/settings", "/signin" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Cookie", cookies);
            var html = await (await Plain().SendAsync(request, Ct)).Content.ReadAsStringAsync(Ct);

            Assert.DoesNotMatch(InlineScript(), html);
            Assert.DoesNotMatch(InlineHandlerOrStyle(), html);
        }
    }

    [StoreFact]
    public async Task Cookies_are_secure_over_https()
    {
        var response = await Plain("https://localhost").GetAsync("/signin", Ct);

        var antiforgery = Assert.Single(SetCookies(response));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
    }

    [StoreFact]
    public void The_data_folder_and_its_files_are_readable_by_the_server_s_user_only()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix permissions");
            return;
        }

        _ = Server.Services;
        var data = Server.Data.Path;
        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        Assert.Equal(owner, File.GetUnixFileMode(data));
        if (StoreKind == StoreKind.Sqlite)
        {
            Assert.True(File.Exists(Path.Combine(data, "skein.db")));
            Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(data, "keys")));
        }

        foreach (var file in Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    /// <summary>A script element without a src (inline code).</summary>
    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\s(on[a-z]+|style)=""", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandlerOrStyle();
}
