namespace Skein.Testing;

/// <summary>Polls a condition until it holds or a deadline passes. Never a fixed sleep for ordering.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<T> Get<T>(
        Func<Task<T>> probe,
        Func<T, bool> done,
        TimeSpan? timeout = null,
        string? what = null
    )
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what ?? "condition"}; last value: {last}");
            }

            await Task.Delay(20);
        }
    }
}
