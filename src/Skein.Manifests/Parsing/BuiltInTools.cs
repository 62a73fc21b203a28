namespace Skein.Manifests.Parsing;

/// <summary>
/// Skein's built-in tools, referenced in <c>allowedOperations</c> under the reserved service name <c>built_in</c>.
/// A server test keeps this list equal to the engine's tool catalog.
/// </summary>
public static class BuiltInTools
{
    public const string ServiceName = "built_in";

    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "phrony_wait",
        "skein_echo",
        "skein_demo_refund",
        "ask_user_choice",
        "ask_user_text",
        "ask_user_number",
    };
}
