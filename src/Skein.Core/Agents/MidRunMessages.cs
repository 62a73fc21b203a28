namespace Skein.Core.Agents;

/// <summary>
/// What a message sent while a run works does (the version setting <c>midRunMessages</c>, SPEC section 12). Wire
/// strings <c>enqueue</c> (the default), <c>interrupt</c> and <c>reject</c>.
/// </summary>
public enum MidRunMessages
{
    /// <summary>The message waits for the run's next model turn (202, <c>queued: true</c>).</summary>
    Enqueue,

    /// <summary>A model call in flight is cancelled and a new turn starts with the message; tool calls in flight
    /// finish first.</summary>
    Interrupt,

    /// <summary>409, as for any run that does not wait for a message.</summary>
    Reject,
}

/// <summary>The wire strings of <see cref="MidRunMessages"/>.</summary>
public static class MidRunMessagesWire
{
    public const string Enqueue = "enqueue";
    public const string Interrupt = "interrupt";
    public const string Reject = "reject";

    public static IReadOnlyList<string> All { get; } = [Enqueue, Interrupt, Reject];

    public static string ToWire(this MidRunMessages policy) =>
        policy switch
        {
            MidRunMessages.Interrupt => Interrupt,
            MidRunMessages.Reject => Reject,
            _ => Enqueue,
        };

    /// <summary>The policy a wire string names; null for anything else.</summary>
    public static MidRunMessages? Parse(string? wire) =>
        wire switch
        {
            Enqueue => MidRunMessages.Enqueue,
            Interrupt => MidRunMessages.Interrupt,
            Reject => MidRunMessages.Reject,
            _ => null,
        };
}
