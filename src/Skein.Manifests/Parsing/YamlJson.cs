using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skein.Manifests.Parsing;

/// <summary>
/// Turns a YAML node into JSON (so one JSON Schema checks it) while recording each node's line, and fills
/// <c>{{inputs.key}}</c> placeholders. Plain scalars follow the YAML 1.2 core schema (null, booleans, numbers);
/// quoted ones are always strings. A scalar that is only a placeholder takes the value's own type.
/// </summary>
internal sealed partial class YamlJson(
    LineMap lines,
    IReadOnlyDictionary<string, JsonNode?>? values,
    IReadOnlyDictionary<string, string>? declaredInputs,
    List<ManifestProblem> problems
)
{
    [GeneratedRegex(@"\{\{\s*inputs\.([A-Za-z0-9_.\-]+)\s*\}\}")]
    private static partial Regex Placeholder();

    public JsonNode? Convert(YamlNode node, string path)
    {
        lines.Set(path, (int)node.Start.Line);
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in map.Children)
                {
                    var key = keyNode is YamlScalarNode s ? s.Value ?? "" : keyNode.ToString();
                    obj[key] = Convert(valueNode, LineMap.Child(path, key));
                }

                return obj;
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    arr.Add(Convert(seq.Children[i], LineMap.Index(path, i)));
                }

                return arr;
            case YamlScalarNode scalar:
                return Scalar(scalar, path);
            default:
                problems.Add(lines.Problem(path, "unsupported YAML node"));
                return null;
        }
    }

    private JsonNode? Scalar(YamlScalarNode scalar, string path)
    {
        var text = scalar.Value ?? "";
        if (values is not null)
        {
            var whole = Placeholder().Match(text);
            if (whole.Success && whole.Length == text.Length)
            {
                // An unresolved placeholder stays text: its one error is enough, no type error on top.
                return Lookup(whole.Groups[1].Value, path)?.DeepClone() ?? JsonValue.Create(text);
            }

            if (whole.Success)
            {
                return JsonValue.Create(
                    Placeholder()
                        .Replace(text, m => Lookup(m.Groups[1].Value, path) switch
                            {
                                JsonValue v when v.TryGetValue<string>(out var s) => s,
                                { } other => other.ToJsonString(),
                                null => m.Value,
                            })
                );
            }
        }

        var explicitString =
            (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value == "tag:yaml.org,2002:str")
            || scalar.Style != ScalarStyle.Plain;
        if (explicitString)
        {
            return JsonValue.Create(text);
        }

        var plain = Plain(text);
        if (plain is JsonValue number && number.TryGetValue<double>(out var d) && !double.IsFinite(d))
        {
            // JSON has no infinity: 1e999 would fail every later step that writes the document.
            problems.Add(lines.Problem(path, $"the number {text} is out of range"));
            return JsonValue.Create(text);
        }

        return plain;
    }

    private JsonNode? Lookup(string key, string path)
    {
        string? type = null;
        if (declaredInputs is not null && !declaredInputs.TryGetValue(key, out type))
        {
            problems.Add(lines.Problem(path, $"{{{{inputs.{key}}}}} is not declared under inputs"));
            return null;
        }

        if (values is null || !values.TryGetValue(key, out var value))
        {
            problems.Add(lines.Problem(path, $"no value for {{{{inputs.{key}}}}}: give it in the values file"));
            return null;
        }

        var kind = value?.GetValueKind();
        if (
            (type == "number" && kind != JsonValueKind.Number)
            || (type == "boolean" && kind is not (JsonValueKind.True or JsonValueKind.False))
        )
        {
            problems.Add(lines.Problem(path, $"the value of {{{{inputs.{key}}}}} must be a {type}"));
            return null;
        }

        return value;
    }

    private static JsonNode? Plain(string text) =>
        text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when IsInteger(text)
                    && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) =>
                JsonValue.Create(l),
            _ when IsFloat(text)
                    && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) =>
                JsonValue.Create(d),
            _ => JsonValue.Create(text),
        };

    private static bool IsInteger(string text) => IntegerPattern().IsMatch(text);

    private static bool IsFloat(string text) => FloatPattern().IsMatch(text);

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
