using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Application.Agents;
using Skein.Application.Triggers;
using Skein.Application.Versions;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Core.Users;
using Skein.Engine.Runs;
using Skein.Server.Dashboard.Auth;
using Skein.Server.Dashboard.Sessions;
using Skein.Store.Rows;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Pages.Agents;

/// <summary>
/// An agent: versions (edit Testing, Deploy, Rollback, Retract through <see cref="VersionService"/>), Test run
/// (through <see cref="RunStarter"/>, which validates the input schema), its sessions and its triggers.
/// </summary>
[Requires(Capability.Develop)]
public sealed partial class DetailModel(
    AgentService agents,
    VersionService versions,
    RunStarter starter,
    SessionListPage list,
    SessionChangeFeed feed,
    SessionQueries queries,
    TriggerService triggerService,
    Store.Usage.AgentCosts costs,
    TimeProvider time,
    ToolFailureCounts failures
) : PageModel
{
    [FromRoute(Name = "id")]
    public Guid Id { get; set; }

    [FromQuery(Name = "tab")]
    public string Tab { get; set; } = "versions";

    [FromQuery(Name = "after")]
    public string? After { get; set; }

    public AgentView Agent { get; private set; } = null!;

    public IReadOnlyList<VersionView> Versions { get; private set; } = [];

    public VersionView? Live => Versions.FirstOrDefault(v => v.State == nameof(VersionState.Deployed));

    /// <summary>What Rollback would put live (Core's rule); the button is shown only when there is one.</summary>
    public VersionView? RollbackTarget =>
        VersionLifecycle.RollbackTarget([
            .. Versions.Select(v => new VersionLine(
                v.Id,
                v.Label,
                Enum.Parse<VersionState>(v.State),
                v.CreatedAt,
                v.DeployedAt
            )),
        ])
            is { } target
            ? Versions.First(v => v.Id == target.Id)
            : null;

    public IReadOnlyList<TriggerRow> Triggers { get; private set; } = [];

    public SessionTableModel Sessions { get; private set; } = null!;

    /// <summary>The Sessions tab's search and filters, from the URL.</summary>
    public SessionFilters SessionFilters { get; private set; } = new();

    public string? SessionFilterError { get; private set; }

    /// <summary>Cursor of the next (older) page of the Sessions tab, when there is one.</summary>
    public string? OlderSessions { get; private set; }

    public Guid? SelectedVersionId { get; private set; }

    /// <summary>The agent's runs' cost per UTC day, newest first (SPEC section 12).</summary>
    public IReadOnlyList<Store.Usage.DailyCost> DailyCosts { get; private set; } = [];

    public string TestInput { get; private set; } = "{}";

    public string? TestRunError { get; private set; }

    public string? SelectedSchema => Versions.FirstOrDefault(v => v.Id == SelectedVersionId)?.InputSchema;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    /// <summary>Test run: a console session on the chosen version; bad JSON or a schema mismatch is shown on the
    /// form.</summary>
    public async Task<IActionResult> OnPostTestRunAsync(
        Guid? versionId,
        string? input,
        CancellationToken cancellationToken
    )
    {
        JsonElement? parsed = null;
        string? error = null;
        try
        {
            parsed = string.IsNullOrWhiteSpace(input) ? null : JsonDocument.Parse(input).RootElement.Clone();
        }
        catch (JsonException e)
        {
            error = "The input is not valid JSON: " + e.Message;
        }

        if (error is null)
        {
            try
            {
                var started = await starter.StartAsync(
                    new StartRunRequest(Id, parsed, TriggerType.Console, DashboardAuth.Actor(User).Value)
                    {
                        VersionId = versionId,
                    },
                    cancellationToken
                );
                return Redirect($"/sessions/{started.SessionId}");
            }
            catch (DomainException e)
            {
                error = e.Error.Message;
            }
        }

        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }

        SelectedVersionId = versionId ?? SelectedVersionId;
        TestInput = input ?? "";
        TestRunError = error;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public Task<IActionResult> OnPostDeployAsync(Guid versionId, CancellationToken cancellationToken) =>
        VersionMoveAsync(
            versions.DeployAsync(DashboardAuth.Actor(User), Id, versionId, cancellationToken),
            "Deployed."
        );

    public Task<IActionResult> OnPostRetractAsync(Guid versionId, CancellationToken cancellationToken) =>
        VersionMoveAsync(
            versions.RetractAsync(DashboardAuth.Actor(User), Id, versionId, cancellationToken),
            "Retracted: the agent has no live version until the next deploy."
        );

    public Task<IActionResult> OnPostRollbackAsync(CancellationToken cancellationToken) =>
        VersionMoveAsync(
            versions.RollbackAsync(DashboardAuth.Actor(User), Id, cancellationToken),
            "Rolled back to the previous live version."
        );

    public async Task<IActionResult> OnPostNewVersionAsync(CancellationToken cancellationToken) =>
        Moved(
            await versions.CreateAsync(DashboardAuth.Actor(User), Id, null, new VersionDraft(), cancellationToken),
            "Created a new Testing version from the newest one."
        );

    public async Task<IActionResult> OnPostEditAsync(
        Guid versionId,
        string? description,
        string? model,
        string? temperature,
        string? instructions,
        string? inputSchema,
        string? midRunMessages,
        bool canExecuteSubAgents,
        List<Guid>? allowedSubAgents,
        string? subAgentExecutionModel,
        CancellationToken cancellationToken
    )
    {
        JsonElement? schema = null;
        if (!string.IsNullOrWhiteSpace(inputSchema))
        {
            try
            {
                schema = JsonDocument.Parse(inputSchema).RootElement.Clone();
            }
            catch (JsonException e)
            {
                return Moved<VersionView>(DomainError.Invalid("inputSchema: not valid JSON (" + e.Message + ")"), "");
            }
        }

        var draft = new VersionDraft
        {
            Description = description ?? "",
            Model = model,
            Instructions = instructions ?? "",
            Temperature = double.TryParse(temperature, NumberStyles.Float, CultureInfo.InvariantCulture, out var t)
                ? t
                : null,
            InputSchema = schema,
            MidRunMessages = string.IsNullOrEmpty(midRunMessages) ? null : midRunMessages,
        };
        draft = WithWiring(draft, canExecuteSubAgents, allowedSubAgents, subAgentExecutionModel);
        return Moved(
            await versions.UpdateAsync(DashboardAuth.Actor(User), Id, versionId, draft, cancellationToken),
            "Saved."
        );
    }

    private async Task<IActionResult> VersionMoveAsync(Task<Result<IReadOnlyList<VersionView>>> move, string done) =>
        Moved(await move, done);

    private RedirectResult Moved<T>(Result<T> result, string done)
    {
        // Success and refusal are told apart (a green notice, a red alert).
        TempData[result.IsSuccess ? "Notice" : "Problem"] = result.IsSuccess ? done : result.Error.Message;
        return Redirect($"/agents/{Id}");
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var agent = await agents.FindAsync(Id, cancellationToken);
        var lines = await versions.ListAsync(Id, cancellationToken);
        if (!agent.IsSuccess || !lines.IsSuccess)
        {
            return false;
        }

        Agent = agent.Value;
        Versions = lines.Value;
        SelectedVersionId = (
            Versions.FirstOrDefault(v => v.State == nameof(VersionState.Testing))
            ?? Live
            ?? (Versions.Count > 0 ? Versions[0] : null)
        )?.Id;
        Triggers = await triggerService.RowsOfAgentAsync(Id, cancellationToken);
        DailyCosts = await costs.DailyAsync(Id, time.GetUtcNow(), Tab == "sessions" ? 14 : 1, cancellationToken);
        await LoadSubAgentChoicesAsync(cancellationToken);
        if (Tab == "sessions")
        {
            SessionFilters = Skein.Server.Dashboard.Sessions.SessionFilters.Read(Request.Query, Id);
            var criteria = SessionFilters.Criteria();
            SessionFilterError = criteria.IsSuccess ? null : criteria.Error.Message;
            var head = await feed.HeadAsync(cancellationToken);
            var page = SessionFilterError is not null
                ? new ListResult([], false, false)
                : await list.ReadAsync(
                    new ListQuery(Agent.TenantId, 25)
                    {
                        AgentId = Id,
                        After = ListCursor.Parse(After),
                        Criteria = criteria.Value,
                    },
                    cancellationToken
                );
            var names = new Dictionary<Guid, string> { [Agent.Id] = Agent.Name };
            OlderSessions = page.HasOlder && page.Rows.Count > 0 ? ListCursor.Of(page.Rows[^1]).ToString() : null;
            var waiting = await queries.ChildrenWaitingOnPersonAsync(page.Rows, cancellationToken);
            Sessions = new SessionTableModel(
                await SessionRowView.WithFailuresAsync(
                    [.. page.Rows.Select(r => SessionRowView.From(r, names, waiting))],
                    failures,
                    cancellationToken
                ),
                time.GetUtcNow().UtcDateTime,
                head
            )
            {
                AgentFilter = Id,
                AcceptsNewRows = After is null && SessionFilterError is null,
                LiveFilter = SessionFilterError is null ? SessionFilters.LiveQuery() : "",
                ClearFiltersLink = SessionFilters.IsActive ? $"/agents/{Id}?tab=sessions" : null,
                BulkFilterJson = SessionFilters.BulkJson(),
            };
        }

        return true;
    }
}
