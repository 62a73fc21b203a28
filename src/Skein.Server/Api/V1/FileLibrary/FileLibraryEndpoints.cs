using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Skein.Core;
using Skein.Server.Auth;
using Skein.Store.Files;

namespace Skein.Server.Api.V1.FileLibrary;

/// <summary>
/// Public API, file library: presign → PUT the bytes to the signed, expiring upload URL → finalize.
/// Finalized files can then be referenced from run input and message attachments (<see cref="FileReferences"/>).
/// </summary>
public static partial class FileLibraryEndpoints
{
    public const string UploadPath = "/file-library/uploads";
    private const int MaxFilenameLength = 255;
    private const int MaxMediaTypeLength = 200;

    public static RouteGroupBuilder MapV1FileLibrary(this RouteGroupBuilder v1)
    {
        v1.MapPost("/file-library/presign", PresignAsync)
            .WithName("PresignFileUpload")
            .WithSummary(
                "Reserve an object key and get a signed, expiring upload URL (needs a key that allows uploads)"
            )
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        // The official client sends only requiredHeaders to the upload URL: the signed token is the credential.
        v1.MapPut($"{UploadPath}/{{token}}", UploadAsync)
            .AllowAnonymous()
            .WithName("UploadFile")
            .WithSummary(
                "Upload the bytes to a presigned URL, with exactly its required headers (413 over maxContentLength)"
            )
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        v1.MapPost("/file-library/finalize", FinalizeAsync)
            .WithName("FinalizeFileUpload")
            .WithSummary("Make an uploaded file usable in runs; repeating it answers alreadyFinalized: true")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return v1;
    }

    public sealed record PresignBody(string? Filename, string? MediaType, long? MaxContentLength);

    public sealed record PresignResponse(
        string ObjectKey,
        string UploadUrl,
        string HttpMethod,
        IReadOnlyDictionary<string, string> RequiredHeaders,
        int ExpiresInSeconds
    );

    public sealed record FinalizeBody(string? ObjectKey, long? MaxContentLength, string? Filename, string? MediaType);

    /// <summary><c>sizeBytes</c> is a string, as in the Phrony API (64-bit sizes survive JavaScript numbers).</summary>
    public sealed record FinalizeResponse(string ObjectKey, string SizeBytes, bool AlreadyFinalized);

    private static async Task<Results<Ok<PresignResponse>, ProblemHttpResult>> PresignAsync(
        PresignBody? body,
        HttpContext http,
        IOptions<FileLibraryOptions> options,
        UploadTokens tokens,
        LibraryFiles library,
        CancellationToken cancellationToken
    )
    {
        var caller = ApiKeyAuthenticationHandler.Caller(http);
        if (!caller.AllowFileUploads)
        {
            return UploadsNotAllowed();
        }

        var max = options.Value.MaxUploadBytes;
        if (body is null)
        {
            return Problems.Invalid("a JSON body {filename, mediaType, maxContentLength} is required");
        }

        if (body.Filename is not { } filename)
        {
            return Problems.Invalid("filename is required");
        }

        if (FilenameProblem(filename) is { } filenameProblem)
        {
            return Problems.Invalid(filenameProblem);
        }

        if (body.MediaType?.Trim() is not { } mediaType || !IsMediaType(mediaType))
        {
            return Problems.Invalid(
                $"mediaType must be a well-formed media type such as 'application/pdf' (at most {MaxMediaTypeLength} "
                    + $"characters)"
            );
        }

        if (body.MaxContentLength is not { } length || length < 1 || length > max)
        {
            return Problems.Invalid($"maxContentLength must be between 1 and {max} bytes");
        }

        var (objectKey, leaf) = LibraryFileStorage.NewKey(caller.TenantId, filename);
        await library.AddPendingAsync(
            objectKey,
            leaf,
            caller.TenantId,
            caller.KeyId,
            filename,
            mediaType,
            length,
            cancellationToken
        );
        var url = $"{BaseUrl(http.Request, options.Value)}/v1{UploadPath}/{tokens.Issue(objectKey)}";
        return TypedResults.Ok(
            new PresignResponse(
                objectKey,
                url,
                "PUT",
                new Dictionary<string, string> { [HeaderNames.ContentType] = mediaType },
                (int)tokens.Lifetime.TotalSeconds
            )
        );
    }

    private static async Task<Results<Ok, ProblemHttpResult>> UploadAsync(
        string token,
        HttpRequest request,
        UploadTokens tokens,
        LibraryFileStorage storage,
        LibraryFiles library,
        ILoggerFactory loggers,
        CancellationToken cancellationToken
    )
    {
        var logger = loggers.CreateLogger(typeof(FileLibraryEndpoints));
        if (tokens.Read(token) is not { } objectKey)
        {
            Log.UploadUrlRefused(logger);
            return Problems.Of("upload_url_invalid", "the upload URL is invalid or has expired; presign again");
        }

        var row = await library.FindAsync(objectKey, tenantId: null, cancellationToken);
        if (row is null)
        {
            return FileNotFound(objectKey);
        }

        if (row.State == LibraryFileState.Finalized)
        {
            return Problems.Of("file_finalized", $"file '{objectKey}' is finalized; its bytes cannot change");
        }

        if (!string.Equals(request.ContentType?.Trim(), row.MediaType, StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Invalid(
                $"Content-Type must be exactly '{row.MediaType}', as in the presign's requiredHeaders"
            );
        }

        if (request.ContentLength > row.MaxContentLength)
        {
            return TooLarge(row);
        }

        // The server-wide body limit would cut uploads at 30 MB; this upload's own limit is enforced while streaming.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        var size = await storage.WriteAsync(row, request.Body, row.MaxContentLength, cancellationToken);
        if (size is not { } written)
        {
            return TooLarge(row);
        }

        await library.MarkUploadedAsync(objectKey, written, cancellationToken);
        Log.FileUploaded(logger, objectKey, written);
        return TypedResults.Ok();
    }

    private static async Task<Results<Ok<FinalizeResponse>, ProblemHttpResult>> FinalizeAsync(
        FinalizeBody? body,
        HttpContext http,
        LibraryFiles library,
        CancellationToken cancellationToken
    )
    {
        var caller = ApiKeyAuthenticationHandler.Caller(http);
        if (!caller.AllowFileUploads)
        {
            return UploadsNotAllowed();
        }

        if (body is null || string.IsNullOrEmpty(body.ObjectKey))
        {
            return Problems.Invalid("a JSON body {objectKey, maxContentLength, filename?, mediaType?} is required");
        }

        var row = await library.FindAsync(body.ObjectKey, caller.TenantId, cancellationToken);
        if (row is null)
        {
            return FileNotFound(body.ObjectKey);
        }

        if (FinalizeBodyProblem(body, row) is { } bodyProblem)
        {
            return Problems.Invalid(bodyProblem);
        }

        if (row.State == LibraryFileState.Pending || row.SizeBytes is not { } size)
        {
            return Problems.Of(
                "file_not_uploaded",
                $"file '{row.ObjectKey}' has no bytes yet: PUT them to the upload URL first"
            );
        }

        if (size > body.MaxContentLength)
        {
            return Problems.Invalid(
                $"the uploaded file has {size} bytes, more than maxContentLength {body.MaxContentLength}"
            );
        }

        // Only one finalize moves Uploaded → Finalized; a repeat (or a concurrent twin) reports alreadyFinalized.
        var changed = await library.FinalizeAsync(row.ObjectKey, cancellationToken);
        return TypedResults.Ok(
            new FinalizeResponse(
                row.ObjectKey,
                size.ToString(System.Globalization.CultureInfo.InvariantCulture),
                AlreadyFinalized: !changed
            )
        );
    }

    /// <summary>Null when the filename is acceptable: non-empty, at most 255 characters, no path separators or control
    /// characters.</summary>
    private static string? FilenameProblem(string filename) =>
        filename switch
        {
            "" => "filename is required",
            { Length: > MaxFilenameLength } => $"filename is at most {MaxFilenameLength} characters",
            "." or ".." => "filename cannot be '.' or '..'",
            _ when string.IsNullOrWhiteSpace(filename) => "filename cannot be blank",
            _ when filename.AsSpan().IndexOfAny('/', '\\') >= 0 => "filename cannot contain path separators",
            _ when filename.Any(char.IsControl) => "filename cannot contain control characters",
            _ => null,
        };

    private static bool IsMediaType(string value) =>
        value.Length is > 0 and <= MaxMediaTypeLength
        && MediaTypeHeaderValue.TryParse(value, out var parsed)
        && !parsed.MatchesAllTypes
        && !parsed.MatchesAllSubTypes
        && parsed.SubType.Length > 0;

    // The optional fields repeat the presign's values; a different value means the client lost track of the file.
    private static string? FinalizeBodyProblem(FinalizeBody body, LibraryFile row)
    {
        if (body.MaxContentLength is not ({ } length and > 0))
        {
            return "maxContentLength must be a positive number of bytes";
        }

        if (body.Filename is { } filename && filename != row.Filename)
        {
            return $"filename '{filename}' does not match the presigned '{row.Filename}'";
        }

        return
            body.MediaType is { } mediaType
            && !string.Equals(mediaType.Trim(), row.MediaType, StringComparison.OrdinalIgnoreCase)
            ? $"mediaType '{mediaType}' does not match the presigned '{row.MediaType}'"
            : null;
    }

    private static string BaseUrl(HttpRequest request, FileLibraryOptions options) =>
        options.PublicBaseUrl is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static ProblemHttpResult UploadsNotAllowed() =>
        Problems.Of("file_uploads_not_allowed", "this API key does not allow file uploads (allowFileUploads is off)");

    private static ProblemHttpResult FileNotFound(string objectKey) =>
        Problems.Of(DomainErrorCodes.NotFound, $"file '{objectKey}' was not found");

    private static ProblemHttpResult TooLarge(LibraryFile row) =>
        Problems.Of("file_too_large", $"the upload exceeds maxContentLength ({row.MaxContentLength} bytes)");

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 4101,
            Level = LogLevel.Information,
            Message = "Stored library file {ObjectKey} ({SizeBytes} bytes)"
        )]
        public static partial void FileUploaded(ILogger logger, string objectKey, long sizeBytes);

        [LoggerMessage(
            EventId = 4102,
            Level = LogLevel.Information,
            Message = "Refused an upload with an invalid or expired upload URL"
        )]
        public static partial void UploadUrlRefused(ILogger logger);
    }
}
