using System.Globalization;
using System.Text.Json;
using Skein.Core.Events;
using Skein.Server.Sse;
using Skein.Store.EventLog;

namespace Skein.Server.Tests.Api;

/// <summary>
/// A step delta as the SSE data its subscribers get (SPEC section 12), and the order a reader sends held deltas in.
/// The encoder reuses one writer per thread, so each frame must stand alone whatever was encoded before it.
/// </summary>
public sealed class DeltaFrameTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 7, 31, 35, 884, TimeSpan.FromHours(2));

    private static SharedDelta Delta(string text, int index = 0, long after = 0) =>
        new(new StepDelta(Guid.CreateVersion7(), 2, index, text, At, after));

    private static JsonElement Parse(byte[] frame) => JsonDocument.Parse(frame).RootElement;

    [Fact]
    public void A_delta_frame_carries_the_stream_event_shape_with_a_round_trip_timestamp()
    {
        var delta = Delta("Hé \"quoted\" ✓");

        var frame = Parse(StreamFrame.Delta(delta));

        Assert.Equal(At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), frame.GetProperty("ts").GetString());
        Assert.Equal("2026-12-04T05:31:35.8840000Z", frame.GetProperty("ts").GetString());
        Assert.Equal("step", frame.GetProperty("kind").GetString());
        Assert.Equal("engine.step.delta", frame.GetProperty("subject").GetString());
        var data = frame.GetProperty("data");
        Assert.Equal(delta.Delta.RunId, data.GetProperty("runId").GetGuid());
        Assert.Equal(2, data.GetProperty("iteration").GetInt32());
        Assert.Equal(0, data.GetProperty("index").GetInt32());
        Assert.Equal("Hé \"quoted\" ✓", data.GetProperty("text").GetString());
    }

    [Fact]
    public void Each_frame_stands_alone_after_a_longer_or_a_huge_one_on_the_same_thread()
    {
        var texts = new[] { new string('a', 3_000), "short", new string('b', 40_000), "x", "" };

        var frames = texts.Select((text, i) => StreamFrame.Delta(Delta(text, i))).ToList();

        for (var i = 0; i < texts.Length; i++)
        {
            var data = Parse(frames[i]).GetProperty("data");
            Assert.Equal(texts[i], data.GetProperty("text").GetString());
            Assert.Equal(i, data.GetProperty("index").GetInt32());
        }
    }

    [Fact]
    public void Held_deltas_go_out_oldest_first_once_the_reader_has_sent_what_they_follow()
    {
        var order = new DeltaOrder();
        var a0 = Delta("a0", 0, after: 5);
        var b0 = Delta("b0", 0, after: 9);
        var a1 = Delta("a1", 1, after: 5);
        var b1 = Delta("b1", 1, after: 9);
        order.Receive([a0, b0, a1, b1]);

        Assert.Empty(order.Ready(4));
        Assert.Equal([a0, a1], order.Ready(5));
        Assert.Empty(order.Ready(8));
        Assert.Equal([b0, b1], order.Ready(9));
        Assert.Empty(order.Ready(100));
    }
}
