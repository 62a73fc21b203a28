using Microsoft.EntityFrameworkCore;
using Skein.Store.Rows;

namespace Skein.Store.Files;

/// <summary>A library file as the file library reads it.</summary>
public sealed record LibraryFile(
    string ObjectKey,
    Guid TenantId,
    string LeafName,
    string Filename,
    string MediaType,
    long MaxContentLength,
    LibraryFileState State,
    long? SizeBytes
);

/// <summary>The file library's rows (<c>library_files</c>): presign, upload, finalize, and resolving
/// references.</summary>
public sealed class LibraryFiles(IDbContextFactory<SkeinDbContext> contexts, TimeProvider time)
{
    private static readonly string Pending = nameof(LibraryFileState.Pending);
    private static readonly string Uploaded = nameof(LibraryFileState.Uploaded);
    private static readonly string Finalized = nameof(LibraryFileState.Finalized);

    /// <summary>Reserves a presigned file: Pending, no bytes yet.</summary>
    public async Task AddPendingAsync(
        string objectKey,
        string leafName,
        Guid tenantId,
        Guid apiKeyId,
        string filename,
        string mediaType,
        long maxContentLength,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.LibraryFiles.Add(
            new LibraryFileRow
            {
                ObjectKey = objectKey,
                TenantId = tenantId,
                ApiKeyId = apiKeyId,
                LeafName = leafName,
                Filename = filename,
                MediaType = mediaType,
                MaxContentLength = maxContentLength,
                State = Pending,
                CreatedAt = time.GetUtcNow().UtcDateTime,
            }
        );
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The file with this key, of the workspace when <paramref name="tenantId"/> is given.</summary>
    public async Task<LibraryFile?> FindAsync(string objectKey, Guid? tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db
            .LibraryFiles.AsNoTracking()
            .FirstOrDefaultAsync(
                f => f.ObjectKey == objectKey && (tenantId == null || f.TenantId == tenantId),
                cancellationToken
            );
        return row is null ? null : From(row);
    }

    /// <summary>Records the bytes' size; a finalized file keeps its own (false).</summary>
    public async Task<bool> MarkUploadedAsync(string objectKey, long sizeBytes, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
                .LibraryFiles.Where(f => f.ObjectKey == objectKey && (f.State == Pending || f.State == Uploaded))
                .ExecuteUpdateAsync(
                    u => u.SetProperty(f => f.State, Uploaded).SetProperty(f => f.SizeBytes, sizeBytes),
                    cancellationToken
                ) > 0;
    }

    /// <summary>Moves Uploaded → Finalized; false when another finalize already did.</summary>
    public async Task<bool> FinalizeAsync(string objectKey, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
                .LibraryFiles.Where(f => f.ObjectKey == objectKey && f.State == Uploaded)
                .ExecuteUpdateAsync(
                    u =>
                        u.SetProperty(f => f.State, Finalized)
                            .SetProperty(f => f.FinalizedAt, time.GetUtcNow().UtcDateTime),
                    cancellationToken
                ) > 0;
    }

    /// <summary>The workspace's finalized files named by object key or by leaf name.</summary>
    public async Task<IReadOnlyList<LibraryFile>> FinalizedAsync(
        Guid tenantId,
        IReadOnlyCollection<string> objectKeys,
        IReadOnlyCollection<string> leafNames,
        CancellationToken cancellationToken
    )
    {
        var keys = objectKeys.ToList();
        var leaves = leafNames.ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db
            .LibraryFiles.AsNoTracking()
            .Where(f =>
                f.TenantId == tenantId
                && f.State == Finalized
                && (keys.Contains(f.ObjectKey) || leaves.Contains(f.LeafName))
            )
            .ToListAsync(cancellationToken);
        return [.. rows.Select(From)];
    }

    private static LibraryFile From(LibraryFileRow r) =>
        new(
            r.ObjectKey,
            r.TenantId,
            r.LeafName,
            r.Filename,
            r.MediaType,
            r.MaxContentLength,
            Enum.Parse<LibraryFileState>(r.State),
            r.SizeBytes
        );
}
