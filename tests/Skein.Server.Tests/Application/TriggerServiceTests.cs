using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Application.Triggers;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Triggers;
using Skein.Engine.Triggers;
using Skein.Store;
using Skein.Store.Rows;
using Skein.Testing;

namespace Skein.Server.Tests.Application;

/// <summary><see cref="TriggerService"/> and <see cref="TriggerStarts"/> on both stores, without
/// HTTP.</summary>
public sealed class TriggerServiceTests(ApiServers servers) : ApiTests(servers)
{
    private static readonly Actor Tester = Actor.Operator("tester");

    private IDbContextFactory<SkeinDbContext> Contexts =>
        Server.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();

    private TriggerService Triggers => Server.Services.GetRequiredService<TriggerService>();

    private TriggerStarts Starts => Server.Services.GetRequiredService<TriggerStarts>();

    private static TriggerBody Body(string? type = null, string? name = null) =>
        new(name, type, null, null, null, null, null, null, null, null, null, null, null, null);

    private async Task<CreatedAgent> AgentAsync(AgentSpec? spec = null)
    {
        _ = Server.Server;
        return await TestData.CreateAgentAsync(Contexts, spec ?? new AgentSpec(), Ct);
    }

    private async Task<List<AuditRow>> AuditOfAsync(Guid subjectId)
    {
        await using var db = await Contexts.CreateDbContextAsync(Ct);
        return await db.AuditLog.AsNoTracking().Where(a => a.SubjectId == subjectId).ToListAsync(Ct);
    }

    private async Task<List<TriggerIngressRow>> IngressOfAsync(Guid triggerId)
    {
        await using var db = await Contexts.CreateDbContextAsync(Ct);
        return await db
            .TriggerIngress.AsNoTracking()
            .Where(e => e.TriggerId == triggerId)
            .OrderBy(e => e.ReceivedAt)
            .ToListAsync(Ct);
    }

    [StoreFact]
    public async Task A_created_schedule_is_planned_and_audited_in_the_same_commit()
    {
        var agent = await AgentAsync();

        var created = await Triggers.CreateAsync(
            agent.AgentId,
            Body(TriggerTypes.Scheduled, "nightly") with
            {
                Cron = "0 3 * * *",
                TimeZone = "Europe/Berlin",
            },
            Tester,
            Ct
        );

        Assert.True(created.IsSuccess);
        Assert.NotNull(created.Value.NextFireAt);
        var audit = Assert.Single(await AuditOfAsync(created.Value.Id));
        Assert.Equal("trigger.created", audit.Action);
        Assert.Equal(Tester.Value, audit.Actor);
    }

    [StoreFact]
    public async Task A_refused_trigger_stores_nothing_and_audits_nothing()
    {
        var agent = await AgentAsync();

        var refused = await Triggers.CreateAsync(
            agent.AgentId,
            Body(TriggerTypes.Scheduled, "broken") with
            {
                Cron = "61 * * * *",
            },
            Tester,
            Ct
        );

        Assert.Equal(DomainErrorCodes.InvalidInput, refused.Error?.Code);
        var listed = await Triggers.ListAsync(agent.AgentId, Ct);
        Assert.Empty(listed.Value!);
        await using var db = await Contexts.CreateDbContextAsync(Ct);
        Assert.False(await db.AuditLog.AnyAsync(a => a.Detail == "broken", Ct));
    }

    [StoreFact]
    public async Task The_api_trigger_is_one_per_agent_and_an_edit_keeps_what_it_does_not_name()
    {
        var agent = await AgentAsync();

        var first = await Triggers.PutApiAsync(
            agent.AgentId,
            new ApiTriggerBody(null, null, 30, 2, ["10.0.0.0/8"], false),
            Tester,
            Ct
        );
        var second = await Triggers.PutApiAsync(
            agent.AgentId,
            new ApiTriggerBody(null, null, 60, null, null, null),
            Tester,
            Ct
        );
        var another = await Triggers.CreateAsync(agent.AgentId, Body(TriggerTypes.Api, "second"), Tester, Ct);

        Assert.Equal(first.Value!.Id, second.Value!.Id);
        var settings = second.Value.Settings.Deserialize<ApiTriggerSettings>(SkeinJson.Options)!;
        Assert.Equal((60, 2), (settings.RpmLimit, settings.MaxConcurrentRuns));
        Assert.Equal(["10.0.0.0/8"], settings.IpAllowlist);
        Assert.False(settings.ExposeStepTimeline);
        Assert.Equal(DomainErrorCodes.Conflict, another.Error?.Code);
        Assert.Equal(
            ["trigger.created", "trigger.updated"],
            (await AuditOfAsync(first.Value.Id)).OrderBy(a => a.At).Select(a => a.Action)
        );
    }

    [StoreFact]
    public async Task A_sub_agent_gets_no_trigger_of_any_type()
    {
        var agent = await AgentAsync(new AgentSpec { Mode = ExecutionMode.SubAgent });

        var api = await Triggers.PutApiAsync(
            agent.AgentId,
            new ApiTriggerBody(null, null, null, null, null, null),
            Tester,
            Ct
        );
        var scheduled = await Triggers.CreateAsync(
            agent.AgentId,
            Body(TriggerTypes.Scheduled) with
            {
                Cron = "0 3 * * *",
            },
            Tester,
            Ct
        );

        Assert.Contains("SubAgent", api.Error?.Message);
        Assert.Contains("SubAgent", scheduled.Error?.Message);
    }

    [StoreFact]
    public async Task An_event_triggers_generated_secret_is_shown_once_and_removed_with_the_trigger()
    {
        var agent = await AgentAsync();

        var created = await Triggers.CreateAsync(agent.AgentId, Body(TriggerTypes.Event, "orders"), Tester, Ct);
        var read = await Triggers.GetAsync(agent.AgentId, created.Value!.Id, Ct);
        var deleted = await Triggers.DeleteAsync(agent.AgentId, created.Value.Id, Tester, Ct);

        Assert.Equal(64, created.Value.SigningSecret?.Length);
        Assert.Null(read.Value!.SigningSecret);
        Assert.True(deleted.IsSuccess);
        await using var db = await Contexts.CreateDbContextAsync(Ct);
        Assert.False(await db.Secrets.AnyAsync(s => s.Name == $"trigger-{created.Value.Id}-signing", Ct));
        Assert.Contains(await AuditOfAsync(created.Value.Id), a => a.Action == "trigger.deleted");
    }

    [StoreFact]
    public async Task Bad_input_through_the_api_and_event_policies_is_rejected_and_through_the_scheduled_retryable()
    {
        var agent = await AgentAsync(
            new AgentSpec
            {
                InputSchema = """{"type":"object","required":["order"]}""",
                Script = [new() { Text = "ok" }],
            }
        );
        var trigger = (await Triggers.CreateAsync(agent.AgentId, Body(TriggerTypes.Event, "hook"), Tester, Ct)).Value!;
        var row = new TriggerRow
        {
            Id = trigger.Id,
            TenantId = agent.TenantId,
            AgentId = agent.AgentId,
            Name = trigger.Name,
            Type = trigger.Type,
        };

        var viaEvent = await Starts.StartAsync(row, Entry(row), Empty, Tester, TriggerStartPolicy.Event, Ct);
        var viaApi = await Starts.StartAsync(row, Entry(row), Empty, Tester, TriggerStartPolicy.Api, Ct);
        var viaSchedule = await Starts.StartAsync(row, Entry(row), Empty, Tester, TriggerStartPolicy.Scheduled, Ct);

        Assert.Equal(DomainErrorCodes.InvalidInput, viaEvent.Error?.Code);
        Assert.Equal(DomainErrorCodes.InvalidInput, viaApi.Error?.Code);
        Assert.Equal(DomainErrorCodes.InvalidInput, viaSchedule.Error?.Code);
        var log = await Eventually.Get(
            () => IngressOfAsync(trigger.Id),
            entries => entries.Count == 3,
            what: "the three attempts in the ingress log"
        );
        var failed = Assert.Single(log, e => e.Outcome == IngressOutcomes.Failed);
        var rejected = log.Where(e => e.Outcome == IngressOutcomes.Rejected).ToList();
        Assert.Equal(2, rejected.Count);
        Assert.True(TriggerService.IsRetryable(failed));
        Assert.All(rejected, r => Assert.False(TriggerService.IsRetryable(r)));
    }

    [StoreFact]
    public async Task A_failed_scheduled_start_is_retried_once_its_cause_is_fixed()
    {
        var agent = await AgentAsync(new AgentSpec { State = VersionState.Testing, Script = [new() { Text = "ok" }] });
        var trigger = (
            await Triggers.CreateAsync(
                agent.AgentId,
                Body(TriggerTypes.Scheduled, "daily") with
                {
                    Cron = "0 3 * * *",
                },
                Tester,
                Ct
            )
        ).Value!;
        await using (var db = await Contexts.CreateDbContextAsync(Ct))
        {
            var row = await db.Triggers.AsNoTracking().SingleAsync(t => t.Id == trigger.Id, Ct);
            var failed = await Starts.StartAsync(row, Entry(row), null, Tester, TriggerStartPolicy.Scheduled, Ct);
            Assert.NotNull(failed.Error);
        }

        var entry = Assert.Single(await IngressOfAsync(trigger.Id));
        var tooEarly = await Triggers.RetryAsync(agent.AgentId, trigger.Id, entry.Id, Tester, Ct);
        await using (var db = await Contexts.CreateDbContextAsync(Ct))
        {
            await db
                .AgentVersions.Where(v => v.Id == agent.VersionId)
                .ExecuteUpdateAsync(u => u.SetProperty(v => v.State, nameof(VersionState.Deployed)), Ct);
        }

        var retried = await Triggers.RetryAsync(agent.AgentId, trigger.Id, entry.Id, Tester, Ct);
        var again = await Triggers.RetryAsync(agent.AgentId, trigger.Id, entry.Id, Tester, Ct);

        Assert.False(tooEarly.IsSuccess);
        Assert.True(retried.IsSuccess);
        Assert.Equal(trigger.Id, retried.Value.State.TriggerId);
        Assert.Equal(DomainErrorCodes.Conflict, again.Error?.Code);
        Assert.Contains(await AuditOfAsync(trigger.Id), a => a.Action == "trigger.ingress_retried");
    }

    private static readonly JsonElement Empty = JsonDocument.Parse("{}").RootElement;

    private static TriggerIngressRow Entry(TriggerRow trigger) =>
        new()
        {
            TenantId = trigger.TenantId,
            TriggerId = trigger.Id,
            Outcome = IngressOutcomes.Started,
        };
}
