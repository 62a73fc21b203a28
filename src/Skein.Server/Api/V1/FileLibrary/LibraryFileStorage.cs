using System.Buffers;
using Skein.Core;
using Skein.Server.Hosting;
using Skein.Store.Files;

namespace Skein.Server.Api.V1.FileLibrary;

/// <summary>
/// Library files on disk: <c>&lt;data&gt;/files/&lt;tenant&gt;/&lt;file id&gt;</c>. The user's filename never reaches
/// the file system; it only appears in the object key <c>library/&lt;tenant&gt;/&lt;file id&gt;-&lt;filename&gt;</c>.
/// </summary>
public sealed class LibraryFileStorage(SkeinHostOptions host)
{
    private const int BufferSize = 81920;
    private const int FileIdLength = 32;

    /// <summary>A new object key and its last segment (the leaf run input refers to), unique through the file
    /// id.</summary>
    public static (string ObjectKey, string LeafName) NewKey(Guid tenantId, string filename)
    {
        var leaf = $"{Ids.New():N}-{filename}";
        return ($"library/{tenantId:N}/{leaf}", leaf);
    }

    // Invariant: every leaf starts with the 32 hex digits of its file id (see NewKey).
    public string PathOf(LibraryFile row) =>
        Path.Combine(host.DataDirectory, "files", row.TenantId.ToString("N"), row.LeafName[..FileIdLength]);

    /// <summary>
    /// Streams <paramref name="body"/> to the file's place, replacing an earlier upload atomically (temp file, then
    /// rename). Returns the size, or null when the body exceeds <paramref name="maxBytes"/>: reading stops there and
    /// nothing is kept.
    /// </summary>
    public async Task<long?> WriteAsync(
        LibraryFile row,
        Stream body,
        long maxBytes,
        CancellationToken cancellationToken
    )
    {
        var target = PathOf(row);
        Directory.CreateDirectory(Path.GetDirectoryName(target) ?? host.DataDirectory);
        var temp = $"{target}.{Guid.NewGuid():N}.part";
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            await using (
                var file = new FileStream(
                    temp,
                    FileMode.CreateNew,
                    FileAccess.Write,
                    FileShare.None,
                    BufferSize,
                    FileOptions.Asynchronous
                )
            )
            {
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        return null;
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                // On disk before the rename, so a crash never leaves a renamed but partial file.
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            File.Delete(temp);
        }
    }
}
