using System.Text.Json;
using Skein.Application.Versions;
using Skein.Core;
using Skein.Core.Agents;

namespace Skein.Server.Dashboard.Pages.Agents;

/// <summary>The version form's Multi-agent section: the switch, the execution model and the allowlist picker of
/// SubAgent agents (SPEC section 9); the rules are checked by <see cref="VersionService"/>.</summary>
public sealed partial class DetailModel
{
    public sealed record SubAgentChoice(Guid Id, string Name);

    /// <summary>The agents in SubAgent mode other than this one: what a version may list.</summary>
    public IReadOnlyList<SubAgentChoice> SubAgentChoices { get; private set; } = [];

    private IReadOnlyDictionary<Guid, string> _agentNames = new Dictionary<Guid, string>();

    public IReadOnlyList<Guid> AllowedOf(VersionView v) =>
        JsonSerializer.Deserialize<List<Guid>>(v.AllowedSubAgents, SkeinJson.Options) ?? [];

    /// <summary>One line for a read-only version: off, or the model and the listed agents' names.</summary>
    public string WiringSummary(VersionView v) =>
        !v.CanExecuteSubAgents
            ? "Sub-agents off"
            : $"{v.SubAgentExecutionModel}: "
                + (
                    AllowedOf(v) is { Count: > 0 } ids
                        ? string.Join(", ", ids.Select(id => _agentNames.GetValueOrDefault(id, id.ToString())))
                        : "no sub-agent listed"
                );

    private async Task LoadSubAgentChoicesAsync(CancellationToken cancellationToken)
    {
        var all = await agents.ListAsync(cancellationToken);
        _agentNames = all.ToDictionary(a => a.Id, a => a.Name);
        SubAgentChoices =
        [
            .. all.Where(a => a.ExecutionMode == nameof(ExecutionMode.SubAgent) && a.Id != Id)
                .Select(a => new SubAgentChoice(a.Id, a.Name)),
        ];
    }

    /// <summary>The section's fields as a draft: switching the feature off empties the list.</summary>
    private static VersionDraft WithWiring(
        VersionDraft draft,
        bool canExecuteSubAgents,
        IReadOnlyList<Guid>? allowedSubAgents,
        string? subAgentExecutionModel
    ) =>
        draft with
        {
            CanExecuteSubAgents = canExecuteSubAgents,
            AllowedSubAgents = canExecuteSubAgents ? allowedSubAgents ?? [] : [],
            SubAgentExecutionModel = Enum.TryParse<SubAgentExecutionModel>(subAgentExecutionModel, out var m)
                ? m
                : null,
        };
}

/// <summary>The model of the <c>_MultiAgent</c> partial: the page and the version being edited.</summary>
public sealed record MultiAgentForm(DetailModel Page, VersionView Version);
