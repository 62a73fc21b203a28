using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Skein.Server.Api.V1.FileLibrary;

/// <summary>
/// The token in an upload URL: the object key, encrypted and signed by Data Protection with an expiry.
/// The key ring lives in the data folder, so URLs stay valid across restarts.
/// </summary>
public sealed class UploadTokens(
    IDataProtectionProvider provider,
    TimeProvider time,
    IOptions<FileLibraryOptions> options
)
{
    private const string Purpose = "Skein.FileLibrary.UploadUrl.v1";
    private readonly ITimeLimitedDataProtector _protector = provider
        .CreateProtector(Purpose)
        .ToTimeLimitedDataProtector();

    public TimeSpan Lifetime => options.Value.UploadUrlLifetime;

    /// <summary>A URL-safe token for <paramref name="objectKey"/> that expires after <see cref="Lifetime"/>.</summary>
    public string Issue(string objectKey) => _protector.Protect(objectKey, time.GetUtcNow() + Lifetime);

    /// <summary>The object key, or null when the token was tampered with, comes from another key ring, or
    /// expired.</summary>
    public string? Read(string token)
    {
        try
        {
            // The protector checks expiry against the wall clock; checking the embedded expiry again against
            // TimeProvider keeps the expiry testable without sleeping.
            var objectKey = _protector.Unprotect(token, out var expiration);
            return expiration > time.GetUtcNow() ? objectKey : null;
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }
    }
}
