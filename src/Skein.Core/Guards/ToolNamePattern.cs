namespace Skein.Core.Guards;

/// <summary>Tool-name matching for <see cref="GuardCondition.Tool"/>: exact, or a glob where <c>*</c> matches any run
/// of characters.</summary>
internal static class ToolNamePattern
{
    public static bool Matches(string pattern, string name)
    {
        if (!pattern.Contains('*'))
        {
            return string.Equals(pattern, name, StringComparison.Ordinal);
        }

        var parts = pattern.Split('*');
        var first = parts[0];
        var last = parts[^1];
        if (
            name.Length < first.Length + last.Length
            || !name.StartsWith(first, StringComparison.Ordinal)
            || !name.EndsWith(last, StringComparison.Ordinal)
        )
        {
            return false;
        }

        // Middle parts must appear in order between the fixed prefix and suffix; leftmost placement is always safe.
        var position = first.Length;
        var limit = name.Length - last.Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = name.IndexOf(parts[i], position, limit - position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            position = found + parts[i].Length;
        }

        return true;
    }
}
