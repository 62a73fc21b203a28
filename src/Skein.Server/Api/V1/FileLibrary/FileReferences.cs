using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Skein.Core;
using Skein.Store.Files;

namespace Skein.Server.Api.V1.FileLibrary;

/// <summary>
/// Resolves <c>{phronyFile: true, …}</c> references to finalized library files of the caller's workspace,
/// before a run starts or a message is accepted. A reference names its file by <c>objectKey</c> or, as SPEC
/// section 4 has it for run input, by <c>filename</c> = the object key's last segment. Any reference that
/// does not resolve fails the whole request with 400 (<see cref="DomainException"/>), so nothing starts.
/// </summary>
public sealed class FileReferences(LibraryFiles library)
{
    public const int MaxReferences = 100;
    private const string Marker = "phronyFile";

    /// <summary>A finalized library file, as references resolve to.</summary>
    public sealed record ResolvedFile(
        string ObjectKey,
        string LeafName,
        string Filename,
        string MediaType,
        long SizeBytes
    );

    /// <summary>
    /// The input with every reference, at any depth, replaced by
    /// <c>{phronyFile, filename (leaf), mediaType, objectKey, sizeBytes (string)}</c> of its file.
    /// </summary>
    public async Task<JsonElement?> ResolveInputAsync(
        Guid tenantId,
        JsonElement? input,
        CancellationToken cancellationToken
    )
    {
        if (input is not { } root)
        {
            return null;
        }

        var references = new List<JsonElement>();
        Collect(root, references);
        if (references.Count == 0)
        {
            return input;
        }

        var files = await ResolveAsync(tenantId, references, cancellationToken);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var next = 0;
            Rewrite(root, writer, files, ref next);
        }

        return JsonSerializer.Deserialize<JsonElement>(buffer.WrittenSpan);
    }

    /// <summary>A message's <c>files</c>: an array of references, each resolved to its file.</summary>
    public async Task<IReadOnlyList<ResolvedFile>> ResolveAttachmentsAsync(
        Guid tenantId,
        JsonElement? files,
        CancellationToken cancellationToken
    )
    {
        if (files is not { ValueKind: not JsonValueKind.Null } list)
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(f => !IsReference(f)))
        {
            throw Invalid("files must be an array of {phronyFile: true, objectKey, filename?, mediaType?} objects");
        }

        return await ResolveAsync(tenantId, [.. list.EnumerateArray()], cancellationToken);
    }

    /// <summary>What a message's text gains for its attachments: one line per file.</summary>
    public static string AttachmentNote(IReadOnlyList<ResolvedFile> files) =>
        string.Join(
            '\n',
            files.Select(f =>
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"[Attached file: {f.Filename} ({f.MediaType}, {f.SizeBytes} bytes, objectKey {f.ObjectKey})]"
                )
            )
        );

    private static bool IsReference(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object
        && e.TryGetProperty(Marker, out var marker)
        && marker.ValueKind == JsonValueKind.True;

    // Depth is bounded by the JSON reader's maximum depth (64) the input was parsed with.
    private static void Collect(JsonElement e, List<JsonElement> found)
    {
        if (IsReference(e))
        {
            found.Add(e);
        }
        else if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                Collect(p.Value, found);
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
            {
                Collect(item, found);
            }
        }
    }

    // Walks in the same order as Collect, so the n-th reference met is files[n].
    private static void Rewrite(JsonElement e, Utf8JsonWriter w, IReadOnlyList<ResolvedFile> files, ref int next)
    {
        if (IsReference(e))
        {
            var f = files[next++];
            w.WriteStartObject();
            w.WriteBoolean(Marker, true);
            w.WriteString("filename", f.LeafName);
            w.WriteString("mediaType", f.MediaType);
            w.WriteString("objectKey", f.ObjectKey);
            w.WriteString("sizeBytes", f.SizeBytes.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        else if (e.ValueKind == JsonValueKind.Object)
        {
            w.WriteStartObject();
            foreach (var p in e.EnumerateObject())
            {
                w.WritePropertyName(p.Name);
                Rewrite(p.Value, w, files, ref next);
            }

            w.WriteEndObject();
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            w.WriteStartArray();
            foreach (var item in e.EnumerateArray())
            {
                Rewrite(item, w, files, ref next);
            }

            w.WriteEndArray();
        }
        else
        {
            e.WriteTo(w);
        }
    }

    private async Task<IReadOnlyList<ResolvedFile>> ResolveAsync(
        Guid tenantId,
        IReadOnlyList<JsonElement> references,
        CancellationToken cancellationToken
    )
    {
        if (references.Count > MaxReferences)
        {
            throw Invalid($"at most {MaxReferences} file references per request");
        }

        var names = references.Select(NameOf).ToList();
        var keys = names.Where(n => n.ObjectKey).Select(n => n.Value).Distinct().ToList();
        var leaves = names.Where(n => !n.ObjectKey).Select(n => n.Value).Distinct().ToList();
        var rows = (await library.FinalizedAsync(tenantId, keys, leaves, cancellationToken))
            .Select(f => new ResolvedFile(f.ObjectKey, f.LeafName, f.Filename, f.MediaType, f.SizeBytes ?? 0))
            .ToList();

        return
        [
            .. names.Select(n =>
                rows.FirstOrDefault(r => n.ObjectKey ? r.ObjectKey == n.Value : r.LeafName == n.Value)
                ?? throw Invalid($"unknown file '{n.Value}': upload it through the file library and finalize it first")
            ),
        ];
    }

    private static (bool ObjectKey, string Value) NameOf(JsonElement reference)
    {
        if (
            reference.TryGetProperty("objectKey", out var key)
            && key.ValueKind == JsonValueKind.String
            && key.GetString() is { Length: > 0 } k
        )
        {
            return (true, k);
        }

        if (
            reference.TryGetProperty("filename", out var name)
            && name.ValueKind == JsonValueKind.String
            && name.GetString() is { Length: > 0 } n
        )
        {
            return (false, n);
        }

        throw Invalid("a phronyFile reference needs filename (the last segment of its objectKey) or objectKey");
    }

    private static DomainException Invalid(string message) =>
        new(new DomainError(DomainErrorCodes.InvalidInput, message));
}
