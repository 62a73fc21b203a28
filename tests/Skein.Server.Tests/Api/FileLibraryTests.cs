using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Skein.Server.Tests.Api;

public sealed class FileLibraryTests(ApiServers servers) : ApiTests(servers)
{
    private HttpClient Api => field ??= Server.CreateApiClient();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private sealed record Presigned(string ObjectKey, string UploadUrl, string MediaType)
    {
        public string Leaf => ObjectKey[(ObjectKey.LastIndexOf('/') + 1)..];
    }

    private static async Task<Presigned> PresignAsync(
        HttpClient api,
        string filename = "notes.txt",
        string mediaType = "text/plain",
        long maxContentLength = 1024
    )
    {
        var response = await api.PostAsJsonAsync(
            "/v1/file-library/presign",
            new
            {
                filename,
                mediaType,
                maxContentLength,
            },
            Cancel
        );
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal("PUT", body.GetProperty("httpMethod").GetString());
        Assert.Equal(mediaType, body.GetProperty("requiredHeaders").GetProperty("Content-Type").GetString());
        Assert.True(body.GetProperty("expiresInSeconds").GetInt32() > 0);
        return new Presigned(
            body.GetProperty("objectKey").GetString() ?? "",
            body.GetProperty("uploadUrl").GetString() ?? "",
            mediaType
        );
    }

    /// <summary>A PUT with only the required headers, as the official client sends it (no API key).</summary>
    private static Task<HttpResponseMessage> PutAsync(
        HttpClient anonymous,
        string url,
        HttpContent content,
        string contentType
    )
    {
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return anonymous.PutAsync(url, content, Cancel);
    }

    private Task<HttpResponseMessage> FinalizeAsync(Presigned file, long maxContentLength = 1024) =>
        Api.PostAsJsonAsync(
            "/v1/file-library/finalize",
            new
            {
                objectKey = file.ObjectKey,
                maxContentLength,
                mediaType = file.MediaType,
            },
            Cancel
        );

    private async Task<Presigned> UploadFinalizedAsync(string text)
    {
        var file = await PresignAsync(Api);
        Assert.Equal(
            HttpStatusCode.OK,
            (await PutAsync(Server.CreateClient(), file.UploadUrl, new StringContent(text), file.MediaType)).StatusCode
        );
        Assert.Equal(HttpStatusCode.OK, (await FinalizeAsync(file)).StatusCode);
        return file;
    }

    private async Task<Guid> DemoAgentIdAsync()
    {
        var agents = await Api.GetFromJsonAsync<JsonElement>("/v1/agents", Cancel);
        return agents
            .GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "demo")
            .GetProperty("id")
            .GetGuid();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
    }

    private string StoredFiles => Path.Combine(Server.Data.Path, "files");

    [StoreFact]
    public async Task Presign_put_and_finalize_store_the_exact_bytes_on_disk()
    {
        var bytes = Encoding.UTF8.GetBytes("hello, file library\n");
        var file = await PresignAsync(Api, "hello.txt");

        var put = await PutAsync(Server.CreateClient(), file.UploadUrl, new ByteArrayContent(bytes), file.MediaType);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var finalize = await FinalizeAsync(file);

        Assert.Equal(HttpStatusCode.OK, finalize.StatusCode);
        var body = await finalize.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(file.ObjectKey, body.GetProperty("objectKey").GetString());
        Assert.Equal(JsonValueKind.String, body.GetProperty("sizeBytes").ValueKind);
        Assert.Equal(
            bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            body.GetProperty("sizeBytes").GetString()
        );
        Assert.False(body.GetProperty("alreadyFinalized").GetBoolean());
        var stored = Assert.Single(Directory.GetFiles(StoredFiles, file.Leaf[..32], SearchOption.AllDirectories));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(stored, Cancel));
    }

    [StoreFact]
    public async Task Finalizing_twice_answers_already_finalized()
    {
        var file = await UploadFinalizedAsync("twice");

        var again = await FinalizeAsync(file);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var body = await again.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.True(body.GetProperty("alreadyFinalized").GetBoolean());
        Assert.Equal("5", body.GetProperty("sizeBytes").GetString());
    }

    [StoreFact]
    public async Task An_upload_over_max_content_length_is_413_and_leaves_nothing_to_finalize()
    {
        var file = await PresignAsync(Api, maxContentLength: 10);

        // A stream of unknown length is sent chunked, so the limit is enforced while reading, not from Content-Length.
        var put = await PutAsync(
            Server.CreateClient(),
            file.UploadUrl,
            new StreamContent(new UnknownLengthStream(new byte[4096])),
            file.MediaType
        );

        await AssertProblemAsync(put, HttpStatusCode.RequestEntityTooLarge);
        await AssertProblemAsync(await FinalizeAsync(file, maxContentLength: 10), HttpStatusCode.Conflict);
        Assert.Empty(
            Directory.Exists(StoredFiles)
                ? Directory.GetFiles(StoredFiles, file.Leaf[..32] + "*", SearchOption.AllDirectories)
                : []
        );
    }

    [StoreFact]
    public async Task A_tampered_upload_url_is_403()
    {
        var file = await PresignAsync(Api);
        var i = file.UploadUrl.Length - 20;
        var tampered = file.UploadUrl[..i] + (file.UploadUrl[i] == 'A' ? 'B' : 'A') + file.UploadUrl[(i + 1)..];

        var put = await PutAsync(Server.CreateClient(), tampered, new StringContent("x"), file.MediaType);

        await AssertProblemAsync(put, HttpStatusCode.Forbidden);
    }

    [StoreFact]
    public async Task An_expired_upload_url_is_403()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var own = await SkeinApiFactory.FreshAsync();
        // Hour-long polls: advancing the fake clock by 15 minutes would otherwise replay a poll (a store query) for
        // every second of it, which took most of a minute on a busy machine.
        await using var app = own.WithWebHostBuilder(b =>
            b.UseSetting("Skein:Engine:TimerPollInterval", "01:00:00")
                .UseSetting("Skein:Engine:SchedulePollInterval", "01:00:00")
                .ConfigureTestServices(s => s.AddSingleton<TimeProvider>(time))
        );
        var api = app.CreateClient();
        api.DefaultRequestHeaders.Add("X-API-Key", SkeinApiFactory.DemoApiKey);
        var file = await PresignAsync(api);

        time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        var put = await PutAsync(app.CreateClient(), file.UploadUrl, new StringContent("late"), file.MediaType);

        await AssertProblemAsync(put, HttpStatusCode.Forbidden);
    }

    [StoreFact]
    public async Task An_upload_with_another_content_type_is_400()
    {
        var file = await PresignAsync(Api, mediaType: "application/pdf");

        var put = await PutAsync(Server.CreateClient(), file.UploadUrl, new StringContent("not a pdf"), "text/plain");

        await AssertProblemAsync(put, HttpStatusCode.BadRequest);
    }

    [StoreFact]
    public async Task Presign_with_a_key_that_does_not_allow_uploads_is_403()
    {
        var agentId = await DemoAgentIdAsync();
        var triggers = await Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/triggers", Cancel);
        var triggerId = triggers
            .GetProperty("items")
            .EnumerateArray()
            .Single(t => t.GetProperty("type").GetString() == "api")
            .GetProperty("id")
            .GetGuid();
        var created = await Admin.PostAsJsonAsync(
            "/api/keys",
            new
            {
                name = "no-uploads",
                scopes = new[] { new { agentId, triggerId } },
                allowFileUploads = false,
            },
            Cancel
        );
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("secret").GetString()
            ?? "";

        var response = await Server
            .CreateApiClient(secret)
            .PostAsJsonAsync(
                "/v1/file-library/presign",
                new
                {
                    filename = "a.txt",
                    mediaType = "text/plain",
                    maxContentLength = 10,
                },
                Cancel
            );

        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [StoreFact]
    public async Task A_run_referencing_a_finalized_file_starts_with_the_reference_resolved_in_its_input()
    {
        var file = await UploadFinalizedAsync("attached");
        var agentId = await DemoAgentIdAsync();

        var response = await Api.PostAsJsonAsync(
            $"/v1/agents/{agentId}/runs",
            new
            {
                input = new
                {
                    docs = new[]
                    {
                        new
                        {
                            phronyFile = true,
                            filename = file.Leaf,
                            mediaType = "text/plain",
                        },
                    },
                },
            },
            Cancel
        );

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("runId").GetGuid();
        var conversation = await Api.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation", Cancel);
        var reference = conversation.GetProperty("session").GetProperty("input").GetProperty("docs")[0];
        Assert.True(reference.GetProperty("phronyFile").GetBoolean());
        Assert.Equal(file.Leaf, reference.GetProperty("filename").GetString());
        Assert.Equal("text/plain", reference.GetProperty("mediaType").GetString());
        Assert.Equal(file.ObjectKey, reference.GetProperty("objectKey").GetString());
        Assert.Equal("8", reference.GetProperty("sizeBytes").GetString());
    }

    [StoreFact]
    public async Task A_run_referencing_an_unknown_file_is_400_and_creates_no_session()
    {
        var agentId = await DemoAgentIdAsync();
        var marker = Guid.NewGuid().ToString();

        var response = await Api.PostAsJsonAsync(
            $"/v1/agents/{agentId}/runs",
            new
            {
                input = new
                {
                    marker,
                    doc = new
                    {
                        phronyFile = true,
                        filename = "0000-missing.txt",
                        mediaType = "text/plain",
                    },
                },
            },
            Cancel
        );

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var sessions = await Admin.GetFromJsonAsync<JsonElement>($"/api/sessions?agentId={agentId}&take=100", Cancel);
        Assert.DoesNotContain(sessions.GetProperty("items").EnumerateArray(), s =>
            s.GetProperty("input").GetRawText().Contains(marker, StringComparison.Ordinal)
        );
    }

    [StoreFact]
    public async Task A_message_attaching_an_unknown_file_is_400()
    {
        var agentId = await DemoAgentIdAsync();
        var started = await Api.PostAsJsonAsync(
            $"/v1/agents/{agentId}/runs",
            new { input = new { hello = "files" } },
            Cancel
        );
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("runId").GetGuid();

        var response = await Api.PostAsJsonAsync(
            $"/v1/runs/{runId}/messages",
            new { runId, files = new[] { new { phronyFile = true, objectKey = "library/none/0000-missing.txt" } } },
            Cancel
        );

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    /// <summary>A readable stream that does not know its length, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
