using System.Text.Json;
using NJsonSchema;
using NJsonSchema.Validation;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Guards;

namespace Skein.Engine.Guards;

/// <summary>The rules of a document, or why it was refused. Rules is empty whenever Errors is not.</summary>
public sealed record GuardRuleDocumentResult(IReadOnlyList<GuardRule> Rules, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Reads a version's guard-rule document: a JSON array of rules in snake_case (SPEC section 5). The document is
/// checked against <see cref="Schema"/> (errors carry their JSON path, e.g. <c>guardRules[0].then</c>), then
/// deserialized with <see cref="SkeinJson.Options"/> and checked by <see cref="GuardRuleValidation"/>.
/// </summary>
public static class GuardRuleDocument
{
    /// <summary>The JSON Schema (draft-07) of a guard-rule document. Unknown properties are refused so a typo cannot
    /// silently weaken a rule.</summary>
    public const string Schema = """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "title": "Skein guard rules",
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["id", "then"],
            "properties": {
              "id": { "type": "string", "minLength": 1 },
              "when": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "tool": { "type": "string", "minLength": 1 },
                  "arguments": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "additionalProperties": false,
                      "required": ["path", "op"],
                      "properties": {
                        "path": { "type": "string", "minLength": 1 },
                        "op": {
                          "type": "string",
                          "enum": [
                            "gt", "gte", "lt", "lte", "eq", "ne", "in", "not_in", "matches", "exists", "not_exists"
                          ]
                        },
                        "value": {}
                      }
                    }
                  },
                  "run_calls_at_least": { "type": "integer", "minimum": 1 },
                  "session_calls_at_least": { "type": "integer", "minimum": 1 }
                }
              },
              "then": { "type": "string", "enum": ["allow", "block", "pause", "terminate_session"] },
              "reason": { "type": "string" }
            }
          }
        }
        """;

    private const string Root = "guardRules";

    private static readonly Lazy<Task<JsonSchema>> CompiledSchema = new(() => JsonSchema.FromJsonAsync(Schema));

    /// <summary>Parses a document for a version of the given execution mode (pause rules are refused for
    /// Request).</summary>
    public static async Task<GuardRuleDocumentResult> ParseAsync(
        string json,
        ExecutionMode mode,
        CancellationToken cancellationToken
    )
    {
        cancellationToken.ThrowIfCancellationRequested();

        // System.Text.Json first: the schema validator's own parser is more lenient (comments, single quotes).
        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return Refused($"{Root}: not valid JSON: {e.Message}");
        }

        var schema = await CompiledSchema.Value.WaitAsync(cancellationToken);
        var schemaErrors = schema.Validate(json);
        if (schemaErrors.Count > 0)
        {
            return Refused([.. schemaErrors.SelectMany(Flatten).Select(Describe).Distinct()]);
        }

        IReadOnlyList<GuardRule> rules;
        try
        {
            rules = JsonSerializer.Deserialize<List<GuardRule>>(json, SkeinJson.Options) ?? [];
        }
        catch (JsonException e)
        {
            return Refused($"{Root}{PathSuffix(e.Path)}: {e.Message}");
        }

        var errors = GuardRuleValidation.Validate(rules, mode);
        return errors.Count > 0 ? Refused([.. errors]) : new GuardRuleDocumentResult(rules, []);
    }

    /// <inheritdoc cref="ParseAsync(string, ExecutionMode, CancellationToken)"/>
    public static Task<GuardRuleDocumentResult> ParseAsync(
        JsonElement document,
        ExecutionMode mode,
        CancellationToken cancellationToken
    ) => ParseAsync(document.GetRawText(), mode, cancellationToken);

    private static GuardRuleDocumentResult Refused(params string[] errors) => new([], errors);

    // oneOf/anyOf style errors nest the real causes; the document schema has none today, but stay readable if it grows.
    private static IEnumerable<ValidationError> Flatten(ValidationError error) =>
        error switch
        {
            ChildSchemaValidationError child when child.Errors.Count > 0 => child
                .Errors.Values.SelectMany(e => e)
                .SelectMany(Flatten),
            MultiTypeValidationError multi when multi.Errors.Count > 0 => multi
                .Errors.Values.SelectMany(e => e)
                .SelectMany(Flatten),
            _ => [error],
        };

    private static string Describe(ValidationError error)
    {
        var path = $"{Root}{PathSuffix(error.Path?.TrimStart('#', '/'))}";
        var what = error.Kind switch
        {
            ValidationErrorKind.PropertyRequired => $"'{error.Property}' is required",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"'{error.Property}' is not a known property",
            ValidationErrorKind.NotInEnumeration => "value is not one of the allowed values",
            ValidationErrorKind.StringExpected => "must be a string",
            ValidationErrorKind.IntegerExpected => "must be an integer",
            ValidationErrorKind.ArrayExpected => "must be an array",
            ValidationErrorKind.ObjectExpected => "must be an object",
            ValidationErrorKind.StringTooShort => "must not be empty",
            ValidationErrorKind.NumberTooSmall => "must be at least 1",
            _ => error.Kind.ToString(),
        };
        return $"{path}: {what}";
    }

    // "[0].then" → "[0].then"; "then" → ".then"; "$[0].then" (System.Text.Json) → "[0].then".
    private static string PathSuffix(string? path)
    {
        var trimmed = (path ?? "").TrimStart('$');
        return trimmed.Length == 0 || trimmed[0] is '[' or '.' ? trimmed : $".{trimmed}";
    }
}
