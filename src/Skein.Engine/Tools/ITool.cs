using System.Text.Json;
using Skein.Core.Steps;

namespace Skein.Engine.Tools;

/// <summary>An operation the model can call. Implementations do the I/O; policy lives in Core.</summary>
public interface ITool
{
    string Name { get; }
    string Description { get; }

    /// <summary>JSON Schema of the arguments, shown to the model.</summary>
    JsonElement ParametersSchema { get; }

    /// <summary>Safe to repeat with the same idempotency key: an interrupted call is retried after a restart.</summary>
    bool Idempotent { get; }

    bool RequiresApproval { get; }

    /// <summary>An unanswered approval of this tool resolves by its default (reject) after this long.</summary>
    TimeSpan? ApprovalTimeout => null;

    Task<ToolOutcome> ExecuteAsync(ToolInvocation invocation, CancellationToken cancellationToken);
}

/// <summary>One call. <see cref="IdempotencyKey"/> is <c>runId:stepSequence</c>, stable across restarts.</summary>
public sealed record ToolInvocation(
    Guid SessionId,
    Guid RunId,
    string ToolCallId,
    JsonElement Arguments,
    string IdempotencyKey,
    DateTimeOffset Now
);

public abstract record ToolOutcome
{
    private ToolOutcome() { }

    public sealed record Completed(ToolResultBody Result) : ToolOutcome;

    /// <summary>The tool asks a person: the run parks in WaitingForHITL and the answer becomes the result.</summary>
    public sealed record AskUser(string Kind, string Summary, JsonElement Context) : ToolOutcome;

    /// <summary>The run parks in WaitingForTimer until <see cref="WakeAt"/>; the result is recorded on
    /// wake-up.</summary>
    public sealed record WaitUntil(DateTimeOffset WakeAt, TimeSpan Duration) : ToolOutcome;

    public static ToolOutcome Ok(JsonElement data) => new Completed(ToolResultBody.Ok(data));

    public static ToolOutcome Fail(string error) => new Completed(ToolResultBody.Fail(error));
}
