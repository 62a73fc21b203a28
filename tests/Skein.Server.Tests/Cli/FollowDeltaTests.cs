using Skein.Cli;
using Skein.Cli.Follow;
using Skein.Testing;

namespace Skein.Server.Tests.Cli;

/// <summary><c>skein run --follow</c> prints the model's text as it arrives (SPEC section 12), on one line that the
/// committed reasoning step closes instead of repeating it.</summary>
public sealed class FollowDeltaTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task The_follower_prints_model_text_as_it_arrives_and_once()
    {
        using var deadline = StreamingRun.Deadline();
        var ct = deadline.Token;
        await using var model = await StreamingModelServer.StartAsync(ct);
        var (_, runId, sessionId, call) = await StreamingRun.StartAsync(Server, model, ct);
        using var output = new LockedWriter();
        var follower = new RunFollower(new SkeinApi(Admin), output.Writer, interactive: false);
        var following = follower.FollowAsync(sessionId, runId, ct);

        await Eventually.Get(() => Task.FromResult(output.Text), t => t.Contains("model request"), what: "the request");
        await call.SendAsync("Hello, ", ct);
        var partial = await Eventually.Get(
            () => Task.FromResult(output.Text),
            t => t.Contains("model: Hello, "),
            what: "the first piece on the terminal"
        );
        await call.SendAsync("terminal.", ct);
        await call.FinishAsync(4, 2, ct);

        Assert.Equal(0, await following);
        Assert.DoesNotContain("terminal.", partial);
        // One model line: the streamed one, closed by the reasoning step instead of repeated.
        Assert.Single(output.Text.Split('\n'), l => l.EndsWith("  model: Hello, terminal.", StringComparison.Ordinal));
        Assert.Contains("session → Completed", output.Text);
    }

    /// <summary>The follower writes from its reader while the test polls what it wrote: a synchronized writer
    /// (its methods lock the wrapper), read under the same lock.</summary>
    private sealed class LockedWriter : IDisposable
    {
        private readonly StringWriter _inner = new() { NewLine = "\n" };

        public LockedWriter() => Writer = TextWriter.Synchronized(_inner);

        public TextWriter Writer { get; }

        public void Dispose() => _inner.Dispose();

        public string Text
        {
            get
            {
                lock (Writer)
                {
                    return _inner.ToString();
                }
            }
        }
    }
}
