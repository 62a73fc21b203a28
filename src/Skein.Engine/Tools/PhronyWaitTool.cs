using System.Globalization;
using System.Text.Json;
using Skein.Core;

namespace Skein.Engine.Tools;

/// <summary>
/// Built-in <c>phrony_wait</c>: wait a relative duration (<c>seconds</c>) or until a wall time (<c>until</c>,
/// ISO 8601). The run holds no thread while waiting; the wake-up time is persisted on the run.
/// </summary>
public sealed class PhronyWaitTool : ITool
{
    public const string ToolName = "phrony_wait";

    private static readonly JsonElement Schema = SkeinJson.Parse(
        """
        {"type":"object","properties":{
          "seconds":{"type":"number","minimum":0,"description":"How long to wait, in seconds."},
          "until":{"type":"string","format":"date-time","description":"Wall time to wait until (ISO 8601)."}}}
        """
    );

    public string Name => ToolName;
    public string Description => "Pause this run for a number of seconds or until a given time, then continue.";
    public JsonElement ParametersSchema => Schema;
    public bool Idempotent => true;
    public bool RequiresApproval => false;

    public Task<ToolOutcome> ExecuteAsync(ToolInvocation invocation, CancellationToken cancellationToken)
    {
        var args = invocation.Arguments;
        if (
            args.ValueKind == JsonValueKind.Object
            && args.TryGetProperty("seconds", out var s)
            && s.TryGetDouble(out var seconds)
        )
        {
            if (seconds < 0 || double.IsNaN(seconds) || seconds > TimeSpan.FromDays(365).TotalSeconds)
            {
                return Task.FromResult(ToolOutcome.Fail("phrony_wait: seconds must be between 0 and one year"));
            }

            var duration = TimeSpan.FromSeconds(seconds);
            return Task.FromResult<ToolOutcome>(new ToolOutcome.WaitUntil(invocation.Now + duration, duration));
        }

        if (
            args.ValueKind == JsonValueKind.Object
            && args.TryGetProperty("until", out var u)
            && u.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(
                u.GetString(),
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal,
                out var until
            )
        )
        {
            var duration = until > invocation.Now ? until - invocation.Now : TimeSpan.Zero;
            return Task.FromResult<ToolOutcome>(new ToolOutcome.WaitUntil(invocation.Now + duration, duration));
        }

        return Task.FromResult(
            ToolOutcome.Fail("phrony_wait: pass either {\"seconds\": number} or {\"until\": \"<ISO 8601 time>\"}")
        );
    }
}
