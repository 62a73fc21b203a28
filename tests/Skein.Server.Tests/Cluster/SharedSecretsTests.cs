using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Testing.Stores;

namespace Skein.Server.Tests.Cluster;

/// <summary>Two nodes on one PostgreSQL database share their secrets: API keys and the Data Protection key
/// ring.</summary>
[RunsLong(25)]
public sealed class SharedSecretsTests
{
    [Fact]
    public async Task An_upload_url_signed_by_one_node_is_accepted_by_the_other_and_keys_work_on_both()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var cluster = await ClusterScenario.CreateAsync(StoreKind.Postgres, cancellationToken);
        var signer = await cluster.StartNodeAsync(cancellationToken);
        var other = await cluster.StartNodeAsync(cancellationToken);

        // A key created on one node authenticates on the other (the hashes and their pepper are in the database).
        var (agentId, apiKey) = await cluster.CreatePayingAgentAsync(signer, cancellationToken);
        using var onOther = new HttpClient { BaseAddress = other.BaseAddress };
        onOther.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        var agents = await onOther.GetFromJsonAsync<JsonElement>("/v1/agents", cancellationToken);
        Assert.Contains(agents.GetProperty("items").EnumerateArray(), a => a.GetProperty("id").GetGuid() == agentId);

        using var onSigner = new HttpClient { BaseAddress = signer.BaseAddress };
        onSigner.DefaultRequestHeaders.Add("X-API-Key", ClusterScenario.DemoApiKey);
        using var presign = await onSigner.PostAsJsonAsync(
            "/v1/file-library/presign",
            new
            {
                filename = "a.txt",
                mediaType = "text/plain",
                maxContentLength = 100,
            },
            cancellationToken
        );
        Assert.Equal(HttpStatusCode.OK, presign.StatusCode);
        var signed = await presign.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var uploadUrl = new Uri(signed.GetProperty("uploadUrl").GetString() ?? "");

        // The URL names the signing node; the same path and token sent to the other node must verify there.
        using var anonymous = new HttpClient();
        using var body = new StringContent("hello");
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        using var put = await anonymous.PutAsync(
            new Uri(other.BaseAddress, uploadUrl.PathAndQuery),
            body,
            cancellationToken
        );
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        // A tampered token is still refused there: the other node really verifies.
        using var tamperedBody = new StringContent("hello");
        tamperedBody.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        using var tampered = await anonymous.PutAsync(
            new Uri(other.BaseAddress, uploadUrl.PathAndQuery[..^4] + "AAAA"),
            tamperedBody,
            cancellationToken
        );
        Assert.NotEqual(HttpStatusCode.OK, tampered.StatusCode);
    }
}
