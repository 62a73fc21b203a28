using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Skein.Bench.Api;

/// <summary>
/// Runs an open-loop schedule on a thread of its own that sleeps in the kernel until each send time. The driver
/// used to wait with Task.Delay, which goes through the timer queue and then the thread pool: on the 2 busy cores
/// it woke 1.8 ms late at the median and 6 ms late at p90, lag that the driver added to every latency it reported
/// (latency is measured from the send time the schedule says). usleep wakes within tens of microseconds.
/// </summary>
internal static partial class Pacer
{
    /// <summary>Calls <paramref name="send"/> with each index and its due timestamp, <paramref name="rate"/> times a
    /// second.</summary>
    public static Task RunAsync(int count, double rate, Action<int, long> send, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var ticksPerSend = Stopwatch.Frequency / rate;
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var due = start + (long)(i * ticksPerSend);
                    SleepUntil(due);
                    send(i, due);
                }

                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "bench pacer",
        };
        thread.Start();
        return done.Task;
    }

    private static void SleepUntil(long due)
    {
        while (Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due) is { Ticks: > 0 } left)
        {
            _ = usleep((uint)Math.Min(left.TotalMicroseconds, 100_000));
        }
    }

    [LibraryImport("libc")]
    private static partial int usleep(uint microseconds);
}
