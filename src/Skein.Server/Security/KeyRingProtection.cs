using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace Skein.Server.Security;

/// <summary>
/// Optional encryption of the Data Protection key ring at rest with an X.509 certificate (issue #15 item 19):
/// <c>Skein__KeyRing__CertificatePath</c> (a PKCS#12 file with its private key) and
/// <c>Skein__KeyRing__CertificatePassword</c>. Without them the key ring is stored unencrypted, protected only by
/// file permissions (SQLite: the data folder) or database access (PostgreSQL).
/// </summary>
public static class KeyRingProtection
{
    public const string CertificatePathKey = "Skein:KeyRing:CertificatePath";
    public const string CertificatePasswordKey = "Skein:KeyRing:CertificatePassword";

    public static void Configure(IServiceCollection services, IConfiguration configuration)
    {
        if (configuration[CertificatePathKey] is not { Length: > 0 } path)
        {
            return;
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{CertificatePathKey}: there is no certificate file at {path}");
        }

        var certificate = X509CertificateLoader.LoadPkcs12FromFile(
            path,
            configuration[CertificatePasswordKey],
            X509KeyStorageFlags.EphemeralKeySet
        );
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"{CertificatePathKey}: the certificate at {path} has no private key");
        }

        // Decryption finds the certificate here, not in a machine store (Linux has none for this).
        services
            .AddDataProtection()
            .ProtectKeysWithCertificate(certificate)
            .UnprotectKeysWithAnyCertificate(certificate);
    }
}
