namespace Skein.Server.Dashboard.Sessions;

/// <summary>
/// The words the dashboard shows for a status (session, run, task, version). The one mapping: badges, filters and
/// the Approvals page read it; the raw value stays in the badge's tooltip and in every <c>data-status</c>.
/// </summary>
public static class StatusLabels
{
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["WaitingForHITL"] = "Awaiting approval",
        ["WaitingForAITL"] = "Awaiting parent agent",
        ["WaitingForResponse"] = "Awaiting reply",
        ["WaitingForTimer"] = "Waiting on timer",
    };

    /// <summary>The human label; a value without one (Running, Completed, …) is already a word.</summary>
    public static string Of(string status) => Labels.GetValueOrDefault(status, status);
}
