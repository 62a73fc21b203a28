namespace Skein.Core.Guards;

/// <summary>The operators of an <see cref="ArgumentCondition"/>, as they appear on the wire.</summary>
public static class ArgumentOps
{
    /// <summary>Numeric comparisons: the argument may be a JSON number or a numeric string; the value must be a
    /// number.</summary>
    public const string Gt = "gt";
    public const string Gte = "gte";
    public const string Lt = "lt";
    public const string Lte = "lte";

    /// <summary>Structural JSON equality; numbers compare numerically (<c>1</c> equals <c>1.0</c>), <c>"1"</c> does not
    /// equal <c>1</c>.</summary>
    public const string Eq = "eq";
    public const string Ne = "ne";

    /// <summary>The value is an array; the argument equals (as <see cref="Eq"/>) one of its elements, or none of
    /// them.</summary>
    public const string In = "in";
    public const string NotIn = "not_in";

    /// <summary>The value is a .NET regular expression, searched (not anchored) in a string argument.</summary>
    public const string Matches = "matches";

    /// <summary>The argument is present and not null; or absent or null. These take no value.</summary>
    public const string Exists = "exists";
    public const string NotExists = "not_exists";

    public static IReadOnlyList<string> All { get; } =
    [Gt, Gte, Lt, Lte, Eq, Ne, In, NotIn, Matches, Exists, NotExists];

    public static bool IsNumeric(string op) => op is Gt or Gte or Lt or Lte;
}
