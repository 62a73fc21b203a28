using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Server.Auth;
using Skein.Server.Sse;

namespace Skein.Server.Api.V1;

/// <summary>
/// <c>GET /v1/runs/{runId}/stream</c>: the whole session of the run as SSE, replayed from the store and then live,
/// resumable with <c>Last-Event-ID</c> (or <c>?lastEventId=</c>); written by <see cref="SessionEventStream"/>.
/// </summary>
public static class RunStreamEndpoint
{
    public static RouteGroupBuilder MapV1RunStream(this RouteGroupBuilder v1)
    {
        v1.MapGet("/runs/{runId}/stream", StreamAsync)
            .WithName("StreamRunEvents")
            .WithSummary("Server-sent events of the run's session: replay, then live; resumable with Last-Event-ID")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return v1;
    }

    private static async Task<Results<ServerSentEventsResult<byte[]>, ProblemHttpResult>> StreamAsync(
        Guid runId,
        string? lastEventId,
        HttpContext http,
        V1Access access,
        SessionEventStream stream,
        CancellationToken cancellationToken
    )
    {
        if (await access.RunAsync(ApiKeyAuthenticationHandler.Caller(http), runId, cancellationToken) is not { } found)
        {
            return Problems.NotFound("run", runId);
        }

        var resume = SseStream.ResumePosition(http.Request, lastEventId);
        if (!resume.IsSuccess)
        {
            return Problems.From(resume.Error);
        }

        var redact = await access.HidesTimelineAsync(found.Session.AgentId, cancellationToken);
        return stream.Write(http, found.Session.Id, resume.Value, redact);
    }
}
