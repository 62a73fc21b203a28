namespace Skein.Core;

/// <summary>The one place ids are minted: time-ordered UUIDv7, so keys index well and sort by creation.</summary>
public static class Ids
{
    public static Guid New() => Guid.CreateVersion7();

    public static Guid New(DateTimeOffset at) => Guid.CreateVersion7(at);
}
