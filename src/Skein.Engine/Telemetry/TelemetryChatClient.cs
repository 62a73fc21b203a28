using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Skein.Engine.Telemetry;

/// <summary>
/// A model call as a <c>chat &lt;model&gt;</c> client span and the GenAI client metrics
/// (<c>gen_ai.client.operation.duration</c>, <c>gen_ai.client.token.usage</c>), with the run's ids on the span.
/// Skein's own rather than Microsoft.Extensions.AI's OpenTelemetryChatClient, which creates a Meter and an
/// ActivitySource per client (a run's client lives for one segment); prompts and outputs are never recorded.
/// </summary>
public sealed class TelemetryChatClient(
    IChatClient inner,
    SkeinMetrics metrics,
    string providerKind,
    Uri? endpoint,
    Guid sessionId,
    Guid runId
) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var model = options?.ModelId ?? "unknown";
        using var activity = Start(model, options);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            Finish(
                activity,
                model,
                started,
                response.ModelId,
                response.ResponseId,
                response.FinishReason,
                response.Usage,
                null
            );
            return response;
        }
        catch (Exception ex)
        {
            Finish(activity, model, started, null, null, null, null, ex);
            throw;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default
    )
    {
        var model = options?.ModelId ?? "unknown";
        using var activity = Start(model, options);
        var started = Stopwatch.GetTimestamp();
        string? responseModel = null;
        string? responseId = null;
        ChatFinishReason? finish = null;
        UsageDetails? usage = null;
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await updates.MoveNextAsync())
                {
                    break;
                }

                update = updates.Current;
            }
            catch (Exception ex)
            {
                Finish(activity, model, started, null, null, null, null, ex);
                throw;
            }

            responseModel ??= update.ModelId;
            responseId ??= update.ResponseId;
            finish ??= update.FinishReason;
            // Indexed, not OfType: this runs for every streamed piece, and the iterator was an allocation each time.
            var contents = update.Contents;
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is UsageContent u)
                {
                    (usage ??= new UsageDetails()).Add(u.Details);
                }
            }

            yield return update;
        }

        Finish(activity, model, started, responseModel, responseId, finish, usage, null);
    }

    private Activity? Start(string model, ChatOptions? options)
    {
        var activity = SkeinTelemetry.Source.StartActivity($"{GenAi.Chat} {model}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity
                .SetTag(GenAi.OperationName, GenAi.Chat)
                .SetTag(GenAi.ProviderName, providerKind)
                .SetTag(GenAi.RequestModel, model)
                .SetTag(GenAi.SessionId, sessionId.ToString())
                .SetTag(GenAi.RunId, runId.ToString());
            if (options?.Temperature is { } temperature)
            {
                activity.SetTag(GenAi.RequestTemperature, temperature);
            }

            if (options?.TopP is { } topP)
            {
                activity.SetTag(GenAi.RequestTopP, topP);
            }

            if (options?.TopK is { } topK)
            {
                activity.SetTag(GenAi.RequestTopK, topK);
            }

            if (endpoint is not null)
            {
                activity.SetTag(GenAi.ServerAddress, endpoint.Host).SetTag(GenAi.ServerPort, endpoint.Port);
            }
        }

        return activity;
    }

    private void Finish(
        Activity? activity,
        string model,
        long started,
        string? responseModel,
        string? responseId,
        ChatFinishReason? finish,
        UsageDetails? usage,
        Exception? error
    )
    {
        var tags = new TagList
        {
            { GenAi.OperationName, GenAi.Chat },
            { GenAi.ProviderName, providerKind },
            { GenAi.RequestModel, model },
        };
        if (responseModel is not null)
        {
            tags.Add(GenAi.ResponseModel, responseModel);
        }

        if (error is not null)
        {
            tags.Add(GenAi.ErrorType, error.GetType().FullName);
        }

        metrics.ModelCall(
            tags,
            Stopwatch.GetElapsedTime(started).TotalSeconds,
            usage?.InputTokenCount,
            usage?.OutputTokenCount
        );
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        if (error is not null)
        {
            SkeinTelemetry.Fail(activity, error.GetType().FullName ?? "error", error.Message);
            return;
        }

        activity.SetTag(GenAi.ResponseModel, responseModel).SetTag(GenAi.ResponseId, responseId);
        if (finish is { } reason)
        {
            activity.SetTag(GenAi.ResponseFinishReasons, new[] { reason.Value });
        }

        if (usage?.InputTokenCount is { } input)
        {
            activity.SetTag(GenAi.InputTokens, input);
        }

        if (usage?.OutputTokenCount is { } output)
        {
            activity.SetTag(GenAi.OutputTokens, output);
        }
    }
}
