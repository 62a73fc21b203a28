using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Skein.Store.Rows;

namespace Skein.Store.Secrets;

/// <summary>
/// The Data Protection key ring in the database (<c>data_protection_keys</c>), for stores several nodes share: what
/// one node protects (upload URLs, sign-in cookies) every node can unprotect. Data Protection calls this
/// synchronously, rarely (at start and when the ring is refreshed), so it uses EF's synchronous API.
/// </summary>
public sealed class DatabaseKeyRing(IDbContextFactory<SkeinDbContext> contexts, TimeProvider time) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = contexts.CreateDbContext();
        return
        [
            .. db
                .DataProtectionKeys.AsNoTracking()
                .OrderBy(k => k.CreatedAt)
                .Select(k => k.Xml)
                .AsEnumerable()
                .Select(XElement.Parse),
        ];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = contexts.CreateDbContext();
        db.DataProtectionKeys.Add(
            new DataProtectionKeyRow
            {
                FriendlyName = friendlyName,
                Xml = element.ToString(SaveOptions.DisableFormatting),
                CreatedAt = time.GetUtcNow().UtcDateTime,
            }
        );
        db.SaveChanges();
    }
}
