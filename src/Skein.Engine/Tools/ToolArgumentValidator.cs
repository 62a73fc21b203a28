using System.Collections.Concurrent;
using System.Text.Json;
using NJsonSchema;

namespace Skein.Engine.Tools;

/// <summary>
/// Checks a call's arguments against the tool's JSON Schema before it runs, so an operation never
/// receives arguments it did not declare; the model gets the errors as a tool error and can retry.
/// Parsed schemas are cached by their text.
/// </summary>
public sealed class ToolArgumentValidator
{
    private readonly ConcurrentDictionary<string, Lazy<Task<JsonSchema>>> _schemas = new(StringComparer.Ordinal);

    /// <summary>Null when the arguments fit the schema, else a readable list of what is wrong.</summary>
    public async Task<string?> ValidateAsync(ITool tool, JsonElement arguments)
    {
        var text = tool.ParametersSchema.GetRawText();
        var schema = await _schemas
            .GetOrAdd(text, t => new Lazy<Task<JsonSchema>>(() => JsonSchema.FromJsonAsync(t)))
            .Value;
        var errors = schema.Validate(arguments.ValueKind == JsonValueKind.Undefined ? "{}" : arguments.GetRawText());
        return errors.Count == 0
            ? null
            : $"the arguments do not match {tool.Name}'s schema: "
                + string.Join("; ", errors.Select(e => $"{(string.IsNullOrEmpty(e.Path) ? "#" : e.Path)}: {e.Kind}"));
    }
}
