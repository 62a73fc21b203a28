namespace Skein.Core.Limits;

/// <summary>
/// The bound on one request body that starts or continues a run (<c>/v1</c> starts and messages, <c>/hooks</c>
/// deliveries): a trigger's <c>maxInputBytes</c>, else the workspace's, else 1 MiB. A larger body is refused with
/// 413 before it is read into memory or stored.
/// </summary>
public static class InputLimits
{
    public const string TooLargeCode = "payload_too_large";
    public const int DefaultMaxInputBytes = 1024 * 1024;

    /// <summary>No setting goes below this, so a body this small never needs its limit looked up.</summary>
    public const int SmallestMaxInputBytes = 1024;

    /// <summary>Below Kestrel's 30 MB request limit.</summary>
    public const int LargestMaxInputBytes = 16 * 1024 * 1024;

    /// <summary>A configured limit (null keeps the inherited one) must lie in the accepted range.</summary>
    public static DomainError? CheckSetting(int? maxInputBytes) =>
        maxInputBytes is < SmallestMaxInputBytes or > LargestMaxInputBytes
            ? DomainError.Invalid(
                $"maxInputBytes must be between {SmallestMaxInputBytes} and {LargestMaxInputBytes} bytes"
            )
            : null;

    /// <summary>The limit in force: the trigger's, else the workspace's, else the default.</summary>
    public static int Effective(int? trigger, int? workspace) => trigger ?? workspace ?? DefaultMaxInputBytes;

    /// <summary>A body of <paramref name="bytes"/> (at least, when it is still arriving) over
    /// <paramref name="limit"/> is refused.</summary>
    public static DomainError? Check(long bytes, int limit) =>
        bytes > limit
            ? new DomainError(
                TooLargeCode,
                $"the body is larger than {limit} bytes, the most this trigger accepts (maxInputBytes)"
            )
            : null;
}
