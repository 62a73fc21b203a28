using System.Net;
using System.Text.Json;
using Skein.Core.Egress;
using Skein.Core.Integrations;

namespace Skein.Core.Tests.Egress;

public sealed class EgressRulesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.5.4")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    public void A_non_public_address_is_refused(string address)
    {
        Assert.True(EgressRules.IsRefused(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    public void A_public_address_is_accepted(string address)
    {
        Assert.False(EgressRules.IsRefused(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://api.localhost", true)]
    [InlineData("http://[::1]/", true)]
    [InlineData("https://api.example.com", false)]
    public void A_base_url_is_judged_by_its_literal_host(string url, bool refused)
    {
        Assert.Equal(refused, EgressRules.CheckBaseUrl(url, allowPrivateNetworks: false) is not null);
        Assert.Null(EgressRules.CheckBaseUrl(url, allowPrivateNetworks: true));
    }

    [Fact]
    public void A_path_built_from_a_template_stays_under_the_base_url()
    {
        var args = JsonSerializer.SerializeToElement(new { id = "a/b?c", q = "x y" });

        var built = OperationUrl.Build("https://h.example/api/v1/", "/items/{id}", args, leftoverInQuery: true);

        Assert.Null(built.Error);
        Assert.Equal("https://h.example/api/v1/items/a%2Fb%3Fc?q=x%20y", built.Url?.AbsoluteUri);
    }

    [Fact]
    public void A_template_climbing_out_of_the_base_path_is_refused()
    {
        var built = OperationUrl.Build(
            "https://h.example/api/v1",
            "/../../admin",
            JsonSerializer.SerializeToElement(new { }),
            leftoverInQuery: false
        );

        Assert.Contains("outside the integration's base URL", built.Error);
    }

    [Theory]
    [InlineData("https://h.example/other", 302, "GET", true)]
    [InlineData("https://evil.example/x", 302, "GET", false)]
    [InlineData("http://h.example/x", 302, "GET", false)]
    [InlineData("https://h.example:8443/x", 307, "GET", false)]
    public void A_redirect_is_followed_only_to_the_same_origin(string location, int status, string method, bool follows)
    {
        var next = OperationRedirect.Next(
            new Uri("https://h.example/api"),
            new Uri("https://h.example/api/x"),
            status,
            method,
            new Uri(location),
            0
        );

        Assert.Equal(follows, next.Url is not null);
    }
}
