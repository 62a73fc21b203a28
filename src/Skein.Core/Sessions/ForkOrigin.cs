namespace Skein.Core.Sessions;

/// <summary>Where a forked session came from: the source session and the session sequence of the last step it
/// copied (SPEC section 10, <c>forkedFrom</c>).</summary>
public sealed record ForkOrigin(Guid SessionId, long Sequence);
