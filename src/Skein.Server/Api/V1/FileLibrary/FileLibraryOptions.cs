using System.ComponentModel.DataAnnotations;

namespace Skein.Server.Api.V1.FileLibrary;

/// <summary>File library settings, bound from <c>Skein:Files</c> (e.g. env
/// <c>Skein__Files__MaxUploadBytes</c>).</summary>
public sealed class FileLibraryOptions
{
    public const long DefaultMaxUploadBytes = 50L * 1024 * 1024;

    /// <summary>The largest <c>maxContentLength</c> a presign may ask for (default 50 MiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = DefaultMaxUploadBytes;

    /// <summary>How long a presigned upload URL stays valid (default 15 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan UploadUrlLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Scheme and host that upload URLs start with, for a server behind a proxy (e.g.
    /// <c>https://skein.example.com</c>).
    /// Unset: the scheme and host of the presign request.
    /// </summary>
    [Url]
    public string? PublicBaseUrl { get; set; }
}
