using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Skein.Manifests.Parsing;

/// <summary>
/// Bounds a YAML text before anything is built from it: size, nesting depth and node count, with aliases counted as
/// the nodes they expand to (a "billion laughs" alias bomb is a few hundred bytes). Reads the parser's event stream
/// with an explicit stack, so no input can recurse; the representation model and the JSON conversion, which do
/// recurse, only ever see a text that passed.
/// </summary>
public static class YamlBounds
{
    /// <summary>Largest manifest (or values file) accepted, in characters.</summary>
    public const int MaxChars = 1024 * 1024;

    /// <summary>Deepest nesting of mappings and sequences, aliases expanded.</summary>
    public const int MaxDepth = 40;

    /// <summary>Most nodes in all documents, aliases expanded.</summary>
    public const int MaxNodes = 100_000;

    private sealed class Frame(AnchorName anchor)
    {
        public AnchorName Anchor { get; } = anchor;
        public long Nodes { get; set; } = 1;
        public int Height { get; set; } = 1;
    }

    /// <summary>Why <paramref name="yaml"/> is refused, or null when it is within the bounds.</summary>
    public static ManifestProblem? Check(string yaml, string what)
    {
        if (yaml.Length > MaxChars)
        {
            return new ManifestProblem(what, null, $"is larger than {MaxChars} characters");
        }

        var anchors = new Dictionary<AnchorName, (long Nodes, int Height)>();
        var open = new Stack<Frame>();
        long total = 0;
        var parser = new Parser(new StringReader(yaml));
        var line = 0;
        try
        {
            while (parser.MoveNext())
            {
                var e = parser.Current;
                line = (int)(e?.Start.Line ?? 0);
                (long Nodes, int Height)? done = null;
                AnchorName anchor = AnchorName.Empty;
                switch (e)
                {
                    case MappingStart or SequenceStart:
                        var start = (NodeEvent)e;
                        if (open.Count + 1 > MaxDepth)
                        {
                            return TooDeep(what, line);
                        }

                        open.Push(new Frame(start.Anchor));
                        break;
                    case MappingEnd or SequenceEnd:
                        var frame = open.Pop();
                        anchor = frame.Anchor;
                        done = (frame.Nodes, frame.Height);
                        break;
                    case Scalar scalar:
                        anchor = scalar.Anchor;
                        done = (1, 0);
                        break;
                    case AnchorAlias alias:
                        done = anchors.TryGetValue(alias.Value, out var target) ? target : (1, 0);
                        if (open.Count + done.Value.Height > MaxDepth)
                        {
                            return TooDeep(what, line);
                        }

                        break;
                }

                if (done is not { } node)
                {
                    continue;
                }

                if (!anchor.IsEmpty)
                {
                    anchors[anchor] = node;
                }

                if (open.TryPeek(out var parent))
                {
                    parent.Nodes += node.Nodes;
                    parent.Height = Math.Max(parent.Height, node.Height + 1);
                    if (parent.Nodes > MaxNodes)
                    {
                        return TooMany(what, line);
                    }
                }
                else if ((total += node.Nodes) > MaxNodes)
                {
                    return TooMany(what, line);
                }
            }
        }
        catch (YamlException ex)
        {
            var message = (ex.InnerException?.Message ?? ex.Message).Split('\n')[0];
            return new ManifestProblem(what, (int)ex.Start.Line, $"not valid YAML: {message}");
        }
        catch (ArgumentException)
        {
            // The scanner decodes escapes with the framework's checks: "\uD800" (a lone surrogate) throws out of it.
            return new ManifestProblem(what, line + 1, "not valid YAML: an escape names no Unicode character");
        }

        return null;
    }

    private static ManifestProblem TooDeep(string what, int line) =>
        new(what, line, $"nests deeper than {MaxDepth} levels (aliases expanded)");

    private static ManifestProblem TooMany(string what, int line) =>
        new(what, line, $"has more than {MaxNodes} nodes (aliases expanded)");
}
