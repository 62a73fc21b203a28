using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Skein.Server.Tests.Hardening;

/// <summary>
/// Manifest apply bounds its input before any work (issue 15, item 1): size (413), nesting depth, node count and
/// alias expansion (400), and non-finite numbers (400), with and without <c>dryRun</c>. None of it may crash the
/// server or cost it seconds.
/// </summary>
public sealed class ManifestBoundsTests(ApiServers servers) : ApiTests(servers)
{
    private const string AliasBomb = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        """;

    private async Task<(HttpStatusCode Status, JsonElement Problem)> ApplyAsync(string yaml, bool dryRun)
    {
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        var response = await Admin.PostAsync($"/api/manifests/apply?dryRun={(dryRun ? "true" : "false")}", content, Ct);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement);
    }

    private async Task AssertHealthyAsync() =>
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/healthz", Ct)).StatusCode);

    [StoreTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Twenty_thousand_nested_brackets_are_a_400_and_the_server_stays_up(bool dryRun)
    {
        var (status, problem) = await ApplyAsync(new string('[', 20_000), dryRun);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("deeper than", problem.GetProperty("detail").GetString());
        await AssertHealthyAsync();
    }

    [StoreTheory]
    [InlineData(1_000)]
    [InlineData(5_000)]
    public async Task Deeply_nested_but_closed_yaml_is_a_400_not_a_500(int depth)
    {
        var yaml = "kind: phrony.manifest\nversion: 1\nx: " + new string('[', depth) + new string(']', depth) + "\n";

        var (status, _) = await ApplyAsync(yaml, dryRun: true);

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [StoreFact]
    public async Task A_448_byte_alias_bomb_is_refused_at_once()
    {
        Assert.True(Encoding.UTF8.GetByteCount(AliasBomb) < 600);
        // Warm the route first, so the clock measures the refusal and not the first request's start-up; unbounded,
        // the bomb took 10 s and 825 MB, bounded it is refused in milliseconds, so 5 s holds on a loaded CI host.
        await ApplyAsync("kind: phrony.manifest\nversion: 1e999\n", dryRun: true);
        var clock = Stopwatch.StartNew();

        var (status, problem) = await ApplyAsync(AliasBomb, dryRun: true);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("nodes (aliases expanded)", problem.GetProperty("detail").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        await AssertHealthyAsync();
    }

    [StoreTheory]
    [InlineData("kind: phrony.manifest\nversion: 1e999\n")]
    [InlineData("kind: phrony.manifest\nversion: 1\nagents:\n  - manifestKey: a\n    name: -1e999\n")]
    public async Task A_non_finite_number_is_a_400_naming_it(string yaml)
    {
        var (status, problem) = await ApplyAsync(yaml, dryRun: true);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("out of range", problem.GetProperty("detail").GetString());
    }

    [StoreTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_manifest_over_the_size_limit_is_413(bool dryRun)
    {
        var yaml = "kind: phrony.manifest\nversion: 1\nmetadata:\n  label: \"" + new string('x', 2_200_000) + "\"\n";

        var (status, problem) = await ApplyAsync(yaml, dryRun);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("urn:skein:error:payload_too_large", problem.GetProperty("type").GetString());
    }

    [StoreTheory]
    [InlineData(
        "multipart/form-data; boundary=x",
        "--y\r\nContent-Disposition: form-data; name=\"manifest\"\r\n\r\nk: v\r\n--y--\r\n"
    )]
    [InlineData(
        "multipart/form-data",
        "--x\r\nContent-Disposition: form-data; name=\"manifest\"\r\n\r\nk: v\r\n--x--\r\n"
    )]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"manifest\"\r\n\r\n")]
    public async Task A_multipart_body_that_does_not_match_its_boundary_is_a_400(string contentType, string body)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await Admin.PostAsync("/api/manifests/apply?dryRun=true", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
