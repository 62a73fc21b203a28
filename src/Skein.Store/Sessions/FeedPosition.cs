namespace Skein.Store.Sessions;

/// <summary>
/// Where a change-feed reader stands in the global event log. PostgreSQL can commit sequence n+1 before n,
/// so the position only moves over a hole once it has stayed open longer than <see cref="GapTimeout"/>
/// (a rolled-back insert); until then the reader re-reads past it (rows are re-sent, never lost).
/// Same idea as marten's high-water gap detector.
/// </summary>
public sealed class FeedPosition(long start, TimeProvider time)
{
    public static readonly TimeSpan GapTimeout = TimeSpan.FromSeconds(3);

    private long? _gapAt;
    private DateTimeOffset _gapSince;

    public long Value { get; private set; } = start;

    /// <summary>Moves over the contiguous prefix of <paramref name="sequences"/> (ascending).</summary>
    public void Advance(IReadOnlyList<long> sequences)
    {
        foreach (var sequence in sequences)
        {
            if (sequence == Value + 1 || (sequence > Value + 1 && GapExpired(Value + 1)))
            {
                Value = sequence;
                _gapAt = null;
                continue;
            }

            if (sequence > Value + 1)
            {
                return;
            }
        }
    }

    private bool GapExpired(long missing)
    {
        var now = time.GetUtcNow();
        if (_gapAt != missing)
        {
            _gapAt = missing;
            _gapSince = now;
            return false;
        }

        return now - _gapSince >= GapTimeout;
    }
}
