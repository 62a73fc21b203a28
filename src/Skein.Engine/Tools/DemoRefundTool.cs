using System.Text.Json;
using Skein.Core;

namespace Skein.Engine.Tools;

/// <summary>
/// Built-in <c>skein_demo_refund</c>: an approval-gated operation for the seeded <c>demo-hitl</c> agent,
/// so a newcomer sees an approval without configuring an integration. It only returns a receipt.
/// </summary>
public sealed class DemoRefundTool : ITool
{
    public const string ToolName = "skein_demo_refund";

    private static readonly JsonElement Schema = SkeinJson.Parse(
        """
        {"type":"object","required":["amount"],"properties":{"amount":{"type":"number"},"currency":{"type":"string"},
          "reason":{"type":"string"}}}
        """
    );

    public string Name => ToolName;
    public string Description => "Issue a refund to the customer (demo: returns a receipt; requires approval).";
    public JsonElement ParametersSchema => Schema;
    public bool Idempotent => false;
    public bool RequiresApproval => true;

    public Task<ToolOutcome> ExecuteAsync(ToolInvocation invocation, CancellationToken cancellationToken) =>
        Task.FromResult(
            ToolOutcome.Ok(
                SkeinJson.Element(
                    new
                    {
                        refund_id = "rf_" + invocation.IdempotencyKey.Replace(":", "_", StringComparison.Ordinal),
                        status = "issued",
                        request = invocation.Arguments,
                    }
                )
            )
        );
}
