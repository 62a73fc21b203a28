using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skein.Core.Guards;

/// <summary>
/// One guard rule of an agent version (SPEC section 5): when <see cref="When"/> matches a tool-call attempt,
/// the rule is recorded and proposes <see cref="Then"/>. Wire shape (snake_case):
/// <c>{"id":"…","when":{…},"then":"block","reason":"…"}</c>.
/// </summary>
public sealed record GuardRule
{
    public required string Id { get; init; }

    /// <summary>The conditions; an empty one (nothing set) matches nothing.</summary>
    public GuardCondition When { get; init; } = new();

    public required GuardAction Then { get; init; }

    /// <summary>Shown to the model on <c>block</c>, on the review task on <c>pause</c>, and as the session error on
    /// <c>terminate_session</c>.</summary>
    public string Reason { get; init; } = "";
}

/// <summary>
/// Conditions on one tool-call attempt. Every part that is set must match; a condition with no part set matches
/// nothing.
/// Unset parts are left out when written, so a written rule reads back through the document schema.
/// </summary>
public sealed record GuardCondition
{
    /// <summary>The tool name, matched exactly (ordinal), or a glob where <c>*</c> stands for any run of characters
    /// (<c>pay_*</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Tool { get; init; }

    /// <summary>Conditions on the call's arguments; all must match.</summary>
    public IReadOnlyList<ArgumentCondition> Arguments { get; init; } = [];

    /// <summary>
    /// Matches when this attempt is at least the N-th call of the same tool in the run, counting this attempt:
    /// with <c>3</c>, the first two calls pass and the third and later match (<see cref="ToolAttempt.RunCallCount"/> +
    /// 1 ≥ N).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? RunCallsAtLeast { get; init; }

    /// <summary>As <see cref="RunCallsAtLeast"/>, counted over the whole session (all its runs).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SessionCallsAtLeast { get; init; }

    /// <summary>True when no part is set: such a condition matches nothing (SPEC section 5).</summary>
    [JsonIgnore]
    public bool IsEmpty =>
        Tool is null && Arguments.Count == 0 && RunCallsAtLeast is null && SessionCallsAtLeast is null;
}

/// <summary>
/// A condition on one argument value. <paramref name="Path"/> is a dot path into the arguments object
/// (<c>amount</c>, <c>beneficiary.country</c>, <c>items.0.price</c>; a numeric segment indexes an array).
/// <paramref name="Op"/> is one of <see cref="ArgumentOps.All"/>; <paramref name="Value"/> is the operand.
/// A JSON null argument counts as absent, and every op except <c>not_exists</c> fails on an absent argument.
/// </summary>
public sealed record ArgumentCondition(
    string Path,
    string Op,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Value = null
);

/// <summary>
/// What a matching rule proposes. Wire strings <c>allow | block | pause | terminate_session</c>.
/// The applied outcome follows precedence terminate_session &gt; block &gt; pause &gt; allow.
/// </summary>
public enum GuardAction
{
    [JsonStringEnumMemberName("allow")]
    Allow,

    [JsonStringEnumMemberName("block")]
    Block,

    [JsonStringEnumMemberName("pause")]
    Pause,

    [JsonStringEnumMemberName("terminate_session")]
    TerminateSession,
}
