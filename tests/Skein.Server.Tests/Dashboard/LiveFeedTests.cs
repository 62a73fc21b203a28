using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Skein.Server.Tests.Dashboard;

/// <summary>The dashboard's live sessions feed over plain HTTP: positions, resuming with Last-Event-ID.</summary>
public sealed partial class LiveFeedTests(ApiServers servers) : ApiTests(servers)
{
    private sealed record Event(string? Id, string Type, JsonElement Data);

    private async Task<HttpClient> SignedInAsync()
    {
        var client = Server.CreateClient(
            new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }
        );
        var form = await client.GetStringAsync("/signin", TestContext.Current.CancellationToken);
        var response = await client.PostAsync(
            "/signin",
            new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = TokenPattern().Match(form).Groups[1].Value,
                    ["username"] = "admin",
                    ["password"] = SkeinApiFactory.AdminPassword,
                }
            ),
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>Reads SSE events until <paramref name="done"/> says stop (the server closes nothing on its
    /// own).</summary>
    private static async Task<List<Event>> ReadAsync(
        HttpClient client,
        string path,
        string? lastEventId,
        Func<List<Event>, bool> done
    )
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<Event>();
        string? id = null,
            type = null,
            data = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                events.Add(
                    new Event(
                        id,
                        type ?? "message",
                        JsonSerializer.Deserialize<JsonElement>(string.IsNullOrEmpty(data) ? "null" : data)
                    )
                );
                (id, type, data) = (null, null, null);
                if (done(events))
                {
                    return events;
                }
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data = line[5..].TrimStart(' ');
            }
        }

        return events;
    }

    private async Task<Guid> StartDemoAsync()
    {
        var demo = await Server.DemoAgentAsync();
        var response = await Admin.PostAsJsonAsync(
            $"/api/agents/{demo.AgentId}/runs",
            new { input = new { } },
            TestContext.Current.CancellationToken
        );
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken))
            .GetProperty("sessionId")
            .GetGuid();
    }

    private static bool Has(List<Event> events, Guid sessionId, string? status = null) =>
        events.Any(e =>
            e.Type == "session"
            && e.Data.GetProperty("id").GetGuid() == sessionId
            && (status is null || e.Data.GetProperty("status").GetString() == status)
        );

    [StoreFact]
    public async Task The_feed_sends_each_changed_session_as_its_row_and_resumes_after_the_last_event_id()
    {
        var client = await SignedInAsync();
        var home = await client.GetStringAsync("/", TestContext.Current.CancellationToken);
        var live = FeedPattern().Match(home).Groups[1].Value;

        var first = await StartDemoAsync();
        var events = await ReadAsync(client, live, null, e => Has(e, first, "Completed"));
        Assert.Equal("ready", events[0].Type);
        var row = events.Last(e => e.Type == "session");
        Assert.Contains($"id=\"s-{first}\"", row.Data.GetProperty("html").GetString());
        Assert.Contains("Completed", row.Data.GetProperty("html").GetString());

        // Reconnecting with the last id replays nothing already sent: only what changed after it.
        var last = long.Parse(row.Id!, System.Globalization.CultureInfo.InvariantCulture);
        var second = await StartDemoAsync();
        var resumed = await ReadAsync(client, "/dashboard/live/sessions?after=0", row.Id, e => Has(e, second));
        Assert.All(resumed.Where(e => e.Id is not null), e =>
            Assert.True(long.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture) > last)
        );
        // A row may be sent again when its events straddle a batch or a gap the feed waits on (FeedPosition: rows are
        // re-sent, never lost), but never in an older state than the one already shown.
        Assert.All(resumed.Where(e => e.Type == "session" && e.Data.GetProperty("id").GetGuid() == first), e =>
            Assert.Equal("Completed", e.Data.GetProperty("status").GetString())
        );
    }

    [StoreFact]
    public async Task The_session_feed_sends_the_stream_version_as_it_grows()
    {
        var client = await SignedInAsync();
        var sessionId = await StartDemoAsync();
        var events = await ReadAsync(client, $"/dashboard/live/sessions/{sessionId}", null, e =>
            e.Any(x => x.Type == "version" && x.Data.GetProperty("status").GetString() == "Completed")
        );
        var versions = events
            .Where(e => e.Type == "version")
            .Select(e => e.Data.GetProperty("version").GetInt64())
            .ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Distinct().Count(), versions.Count);
    }

    [GeneratedRegex(@"data-live-sessions=""([^""]+)""")]
    private static partial Regex FeedPattern();

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex TokenPattern();
}
