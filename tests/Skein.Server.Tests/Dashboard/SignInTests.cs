using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Skein.Server.Tests.Dashboard;

/// <summary>Operator sign-in over HTTP: protected pages, the admin password, antiforgery, cookie access to
/// /api.</summary>
public sealed partial class SignInTests(ApiServers servers) : ApiTests(servers)
{
    private HttpClient Browserless() =>
        Server.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static async Task<string> TokenAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path, TestContext.Current.CancellationToken);
        return TokenPattern().Match(html).Groups[1].Value;
    }

    private static async Task<HttpResponseMessage> SignInAsync(
        HttpClient client,
        string password,
        string? token = null
    ) =>
        await client.PostAsync(
            "/signin",
            new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token ?? await TokenAsync(client, "/signin"),
                    ["username"] = "admin",
                    ["password"] = password,
                    ["returnUrl"] = "/settings",
                }
            ),
            TestContext.Current.CancellationToken
        );

    [StoreTheory]
    [InlineData("/")]
    [InlineData("/agents")]
    [InlineData("/review/approvals")]
    [InlineData("/settings")]
    public async Task Every_dashboard_page_sends_a_signed_out_operator_to_the_sign_in_page(string path)
    {
        var response = await Browserless().GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin", response.Headers.Location?.PathAndQuery);
    }

    [StoreFact]
    public async Task The_live_feed_refuses_a_signed_out_caller_with_401_not_a_redirect()
    {
        var response = await Browserless().GetAsync("/dashboard/live/sessions", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [StoreFact]
    public async Task A_wrong_password_is_refused_and_the_right_one_signs_in_and_returns_to_the_page_asked_for()
    {
        var client = Browserless();
        var wrong = await SignInAsync(client, "not-the-password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains(
            "Wrong user name or password.",
            await wrong.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)
        );

        var right = await SignInAsync(client, SkeinApiFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/settings", right.Headers.Location?.OriginalString);
        var settings = await client.GetAsync("/settings", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
    }

    [StoreFact]
    public async Task A_return_url_to_another_site_is_ignored()
    {
        var client = Browserless();
        var response = await client.PostAsync(
            "/signin",
            new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = await TokenAsync(client, "/signin"),
                    ["username"] = "admin",
                    ["password"] = SkeinApiFactory.AdminPassword,
                    ["returnUrl"] = "https://evil.example/",
                }
            ),
            TestContext.Current.CancellationToken
        );
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [StoreFact]
    public async Task A_form_post_without_the_antiforgery_token_is_refused()
    {
        var client = Browserless();
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(client, SkeinApiFactory.AdminPassword)).StatusCode);
        var forged = await client.PostAsync(
            $"/sessions/{Guid.NewGuid()}/terminate",
            new FormUrlEncodedContent([]),
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var signInForged = await client.PostAsync(
            "/signin",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "admin", ["password"] = "x" }),
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.BadRequest, signInForged.StatusCode);
    }

    [StoreFact]
    public async Task The_signed_in_cookie_also_opens_the_management_api()
    {
        var client = Browserless();
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await client.GetAsync("/api/agents", TestContext.Current.CancellationToken)).StatusCode
        );
        await SignInAsync(client, SkeinApiFactory.AdminPassword);
        Assert.Equal(
            HttpStatusCode.OK,
            (await client.GetAsync("/api/agents", TestContext.Current.CancellationToken)).StatusCode
        );
    }

    [StoreFact]
    public async Task Signing_out_ends_the_session()
    {
        var client = Browserless();
        await SignInAsync(client, SkeinApiFactory.AdminPassword);
        var token = await TokenAsync(client, "/");
        var signOut = await client.PostAsync(
            "/signout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }),
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(
            HttpStatusCode.Redirect,
            (await client.GetAsync("/", TestContext.Current.CancellationToken)).StatusCode
        );
    }

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex TokenPattern();
}
