using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;
using Skein.Manifests.Documents;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skein.Manifests.Parsing;

/// <summary>
/// YAML text (one document or a stream of them) plus an optional values file → a <see cref="ManifestDocument"/>.
/// Each document is checked against <see cref="ManifestSchema"/> on its own (so line numbers stay exact), the
/// documents' lists are concatenated, then <see cref="ManifestRules"/> checks ranges and cross references.
/// </summary>
public static class ManifestParser
{
    public static readonly JsonSerializerOptions ReadOptions = new(JsonSerializerDefaults.Web);

    private static readonly Lazy<Task<JsonSchema>> Schema = new(() => JsonSchema.FromJsonAsync(ManifestSchema.Json));

    public static async Task<ManifestParseResult> ParseAsync(
        string yaml,
        string? valuesYaml,
        CancellationToken cancellationToken
    )
    {
        var errors = new List<ManifestProblem>();
        var warnings = new List<ManifestProblem>();
        var merged = new LineMap();
        var values = ParseValues(valuesYaml, errors);
        var documents = Load(yaml, "", errors);
        if (errors.Count > 0 || documents is null)
        {
            return new ManifestParseResult(null, errors, warnings, merged);
        }

        if (documents.Count == 0)
        {
            errors.Add(new ManifestProblem("(document)", null, "the manifest is empty"));
            return new ManifestParseResult(null, errors, warnings, merged);
        }

        var schema = await Schema.Value.WaitAsync(cancellationToken);
        var root = new JsonObject();
        foreach (var document in documents)
        {
            var lines = new LineMap();
            var declared = DeclaredInputs(document);
            var before = errors.Count;
            var json = new YamlJson(lines, values ?? new Dictionary<string, JsonNode?>(), declared, errors).Convert(
                document.RootNode,
                ""
            );

            // A placeholder that could not be filled is reported once, not again as a type error.
            var unfilled = errors.Skip(before).Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
            if (json is not JsonObject obj)
            {
                errors.Add(lines.Problem("", "a manifest document must be a mapping"));
                continue;
            }

            PhronyFormat.Normalize(obj, lines, errors);

            foreach (var error in Flatten(schema.Validate(obj.ToJsonString())))
            {
                var path = PathOf(error);
                if (error.Kind == ValidationErrorKind.NoAdditionalPropertiesAllowed)
                {
                    if (!LastSegment(path).StartsWith("x-", StringComparison.Ordinal))
                    {
                        warnings.Add(lines.Problem(path, "unknown key, ignored"));
                    }
                }
                else if (!unfilled.Contains(path))
                {
                    errors.Add(lines.Problem(path, Describe(error)));
                }
            }

            Concatenate(root, obj, merged, lines);
        }

        if (errors.Count > 0)
        {
            return new ManifestParseResult(null, errors, warnings, merged);
        }

        var manifest = root.Deserialize<ManifestDocument>(ReadOptions) ?? new ManifestDocument();
        ManifestRules.Check(manifest, merged, errors, warnings);
        return new ManifestParseResult(errors.Count == 0 ? manifest : null, errors, warnings, merged);
    }

    private static IReadOnlyList<YamlDocument>? Load(string yaml, string what, List<ManifestProblem> errors)
    {
        // Bounds first: loading and converting recurse, and aliases expand.
        if (YamlBounds.Check(yaml, what.Length == 0 ? "(document)" : what) is { } tooBig)
        {
            errors.Add(tooBig);
            return null;
        }

        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            return [.. stream.Documents];
        }
        catch (YamlException e)
        {
            var message = (e.InnerException?.Message ?? e.Message).Split('\n')[0];
            errors.Add(
                new ManifestProblem(
                    what.Length == 0 ? "(document)" : what,
                    (int)e.Start.Line,
                    $"not valid YAML: {message}"
                )
            );
            return null;
        }
    }

    private static Dictionary<string, JsonNode?>? ParseValues(string? valuesYaml, List<ManifestProblem> errors)
    {
        if (string.IsNullOrWhiteSpace(valuesYaml))
        {
            return null;
        }

        var documents = Load(valuesYaml, "(values)", errors);
        if (documents is not { Count: > 0 })
        {
            return null;
        }

        var json = new YamlJson(new LineMap(), null, null, errors).Convert(documents[0].RootNode, "");
        if (json is not JsonObject obj)
        {
            errors.Add(new ManifestProblem("(values)", 1, "the values file must be a mapping of input keys to values"));
            return null;
        }

        return obj.ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone(), StringComparer.Ordinal);
    }

    /// <summary>The document's declared inputs and their types (<c>string</c> when not given).</summary>
    private static Dictionary<string, string> DeclaredInputs(YamlDocument document)
    {
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        if (
            document.RootNode is YamlMappingNode root
            && root.Children.TryGetValue(new YamlScalarNode("inputs"), out var inputs)
            && inputs is YamlSequenceNode list
        )
        {
            foreach (var item in list.Children.OfType<YamlMappingNode>())
            {
                if (
                    item.Children.TryGetValue(new YamlScalarNode("key"), out var key)
                    && key is YamlScalarNode { Value: { } k }
                )
                {
                    declared[k] =
                        item.Children.TryGetValue(new YamlScalarNode("type"), out var type)
                        && type is YamlScalarNode { Value: { } t }
                            ? t
                            : "string";
                }
            }
        }

        return declared;
    }

    // The documents of a stream form one manifest: their lists are concatenated; kind/version/metadata come from the
    // first.
    private static void Concatenate(JsonObject root, JsonObject document, LineMap merged, LineMap lines)
    {
        var offsets = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, value) in document.ToList())
        {
            if (value is JsonArray items && root[key] is JsonArray existing)
            {
                offsets[key] = existing.Count;
                foreach (var item in items)
                {
                    existing.Add(item?.DeepClone());
                }
            }
            else if (!root.ContainsKey(key))
            {
                root[key] = value?.DeepClone();
            }
        }

        merged.MergeFrom(lines, path => Shift(path, offsets));
    }

    private static string Shift(string path, Dictionary<string, int> offsets)
    {
        var bracket = path.IndexOf('[');
        if (bracket <= 0 || !offsets.TryGetValue(path[..bracket], out var offset) || offset == 0)
        {
            return path;
        }

        var close = path.IndexOf(']', bracket);
        var index = int.Parse(
            path.AsSpan(bracket + 1, close - bracket - 1),
            System.Globalization.CultureInfo.InvariantCulture
        );
        return $"{path[..bracket]}[{index + offset}]{path[(close + 1)..]}";
    }

    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors)
    {
        foreach (var error in errors)
        {
            if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                foreach (var inner in Flatten(child.Errors.SelectMany(e => e.Value)))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return error;
            }
        }
    }

    private static string PathOf(ValidationError error)
    {
        var path = error.Path ?? "";
        path = path.StartsWith("#/", StringComparison.Ordinal) ? path[2..] : path.TrimStart('#');
        return path;
    }

    private static string LastSegment(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? path : path[(cut + 1)..];
    }

    private static string Describe(ValidationError error) =>
        error.Kind switch
        {
            ValidationErrorKind.PropertyRequired => "is required",
            ValidationErrorKind.StringExpected => "must be a string",
            ValidationErrorKind.IntegerExpected => "must be an integer",
            ValidationErrorKind.NumberExpected => "must be a number",
            ValidationErrorKind.BooleanExpected => "must be true or false",
            ValidationErrorKind.ArrayExpected => "must be a list",
            ValidationErrorKind.ObjectExpected => "must be a mapping",
            ValidationErrorKind.StringTooShort => "must not be empty",
            ValidationErrorKind.StringTooLong => $"must be at most {error.Schema?.MaxLength} characters",
            ValidationErrorKind.NotInEnumeration => "must be one of "
                + string.Join(", ", error.Schema?.Enumeration.Where(e => e is not null) ?? []),
            ValidationErrorKind.NoTypeValidates => "must be " + TypeNames(error.Schema?.Type ?? JsonObjectType.None),
            _ => error.Kind.ToString(),
        };

    private static string TypeNames(JsonObjectType type)
    {
        var names = new (JsonObjectType Type, string Name)[]
        {
            (JsonObjectType.Integer, "an integer"),
            (JsonObjectType.Number, "a number"),
            (JsonObjectType.String, "a string"),
            (JsonObjectType.Boolean, "true or false"),
            (JsonObjectType.Array, "a list"),
            (JsonObjectType.Object, "a mapping"),
        };
        var matching = names.Where(n => type.HasFlag(n.Type)).Select(n => n.Name).ToList();
        return matching.Count == 0 ? "of another type" : string.Join(" or ", matching);
    }
}
