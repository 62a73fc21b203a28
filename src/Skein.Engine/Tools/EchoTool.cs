using System.Text.Json;
using Skein.Core;

namespace Skein.Engine.Tools;

/// <summary>Built-in <c>skein_echo</c>: returns its arguments. Side-effect free, for demos, tests and
/// benchmarks.</summary>
public sealed class EchoTool : ITool
{
    public const string ToolName = "skein_echo";

    private static readonly JsonElement Schema = SkeinJson.Parse("""{"type":"object","additionalProperties":true}""");

    public string Name => ToolName;
    public string Description => "Echo the arguments back as the result.";
    public JsonElement ParametersSchema => Schema;
    public bool Idempotent => true;
    public bool RequiresApproval => false;

    public Task<ToolOutcome> ExecuteAsync(ToolInvocation invocation, CancellationToken cancellationToken) =>
        Task.FromResult(ToolOutcome.Ok(invocation.Arguments));
}
