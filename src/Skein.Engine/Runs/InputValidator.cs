using System.Collections.Concurrent;
using System.Text.Json;
using NJsonSchema;
using Skein.Core;
using Skein.Core.Agents;

namespace Skein.Engine.Runs;

/// <summary>Validates run input against the version's input schema before any work (invalid → no session).</summary>
public sealed class InputValidator
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<JsonSchema>>> _schemas = new();

    public async Task ValidateAsync(VersionSnapshot version, JsonElement? input)
    {
        if (version.InputSchema is not { } schemaJson)
        {
            return;
        }

        var schema = await _schemas
            .GetOrAdd(version.AgentVersionId, _ => new Lazy<Task<JsonSchema>>(() =>
                JsonSchema.FromJsonAsync(schemaJson.GetRawText())
            ))
            .Value;

        // An absent input is validated as an empty object, so a schema without required fields accepts it.
        var errors = schema.Validate(input?.GetRawText() ?? "{}");
        if (errors.Count > 0)
        {
            var details = string.Join(
                "; ",
                errors.Select(e => $"{(string.IsNullOrEmpty(e.Path) ? "#" : e.Path)}: {e.Kind}")
            );
            throw new DomainException(
                new DomainError(
                    DomainErrorCodes.InvalidInput,
                    $"input does not match the agent version's input schema: {details}"
                )
            );
        }
    }
}
