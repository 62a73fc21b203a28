using System.Security.Cryptography;
using System.Text;

namespace Skein.Server.Auth;

/// <summary>
/// The management API token: <c>SKEIN_ADMIN_TOKEN</c>, or one generated on first start and kept in the
/// data folder (owner-only file), so a restart keeps working with the token printed before.
/// </summary>
public sealed class AdminToken
{
    private readonly byte[] _hash;

    private AdminToken(string value, bool generated)
    {
        Value = value;
        Generated = generated;
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>The file in the data folder that keeps a generated token.</summary>
    public const string FileName = "admin-token";

    public string Value { get; }

    public bool Generated { get; }

    public static AdminToken Load(IConfiguration configuration, string dataDirectory)
    {
        if (configuration["SKEIN_ADMIN_TOKEN"] is { Length: > 0 } configured)
        {
            return new AdminToken(configured, generated: false);
        }

        var file = Path.Combine(dataDirectory, FileName);
        if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } saved)
        {
            return new AdminToken(saved, generated: false);
        }

        var token = "skadm_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(file, token);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new AdminToken(token, generated: true);
    }

    /// <summary>Constant-time comparison of hashes, so timing reveals nothing about the token.</summary>
    public bool Matches(string? candidate) =>
        candidate is not null
        && CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(candidate)));
}
