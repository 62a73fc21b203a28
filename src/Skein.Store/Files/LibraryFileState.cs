namespace Skein.Store.Files;

/// <summary>
/// A library file's life, stored as its name in <c>library_files.state</c>: presigned (no bytes yet),
/// uploaded (bytes on disk, may be replaced by another PUT), finalized (immutable, usable in runs).
/// </summary>
public enum LibraryFileState
{
    Pending,
    Uploaded,
    Finalized,
}
