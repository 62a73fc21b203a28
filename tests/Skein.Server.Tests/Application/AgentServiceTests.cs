using Microsoft.EntityFrameworkCore;
using Skein.Application.Agents;
using Skein.Application.Versions;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Store.Rows;

namespace Skein.Server.Tests.Application;

public sealed class AgentServiceTests(ApiServers servers) : ApiTests(servers)
{
    private ServiceHost Fx => field ??= new(Server);

    private AgentService Agents => Fx.Get<AgentService>();

    [StoreFact]
    public async Task Creating_an_agent_records_who_created_it()
    {
        var name = ServiceHost.Unique("created");

        var created = await Agents.CreateAsync(Actor.Operator("ada"), new NewAgent(name, "HITL", null), Ct);

        Assert.True(created.IsSuccess, created.Error?.Message);
        Assert.Equal("HITL", created.Value.ExecutionMode);
        var entry = Assert.Single(await Fx.AuditOfAsync(created.Value.Id));
        Assert.Equal(("agent.created", "operator:ada"), (entry.Action, entry.Actor));
    }

    [StoreFact]
    public async Task A_second_agent_with_the_same_name_is_a_conflict_and_writes_nothing()
    {
        var name = ServiceHost.Unique("twin");
        await Agents.CreateAsync(Actor.Admin, new NewAgent(name, null, null), Ct);

        var second = await Agents.CreateAsync(Actor.Admin, new NewAgent(name, null, null), Ct);

        Assert.Equal(DomainErrorCodes.Conflict, second.Error?.Code);
        Assert.Single(await Agents.ListAsync(Ct), a => a.Name == name);
    }

    [StoreTheory]
    [InlineData("", null, "name")]
    [InlineData("ok", "Yolo", "executionMode")]
    public async Task Invalid_settings_are_refused_as_invalid_input(string name, string? mode, string field)
    {
        var created = await Agents.CreateAsync(Actor.Admin, new NewAgent(name, mode, null), Ct);

        Assert.Equal(DomainErrorCodes.InvalidInput, created.Error?.Code);
        Assert.Contains(field, created.Error?.Message);
    }

    [StoreFact]
    public async Task An_agent_with_triggers_cannot_become_a_sub_agent()
    {
        var agent = (
            await Agents.CreateAsync(Actor.Admin, new NewAgent(ServiceHost.Unique("trig"), null, null), Ct)
        ).Value!;
        await using (var db = await Fx.Contexts.CreateDbContextAsync(Ct))
        {
            db.Triggers.Add(
                new TriggerRow
                {
                    Id = Ids.New(),
                    TenantId = (await Agents.FindAsync(agent.Id, Ct)).Value!.TenantId,
                    AgentId = agent.Id,
                    Name = "api",
                    Type = "api",
                    Settings = "{}",
                    CreatedAt = DateTime.UtcNow,
                }
            );
            await db.SaveChangesAsync(Ct);
        }

        var changed = await Agents.ChangeModeAsync(Actor.Admin, agent.Id, "SubAgent", Ct);

        Assert.Equal(DomainErrorCodes.Conflict, changed.Error?.Code);
        Assert.Equal("Request", (await Agents.GetAsync(agent.Id, Ct)).Value?.ExecutionMode);
        Assert.DoesNotContain(await Fx.AuditOfAsync(agent.Id), e => e.Action == "agent.execution_mode_changed");
    }

    [StoreFact]
    public async Task An_agent_with_a_deployed_version_cannot_be_deleted_until_it_is_retracted()
    {
        var versions = Fx.Get<VersionService>();
        var agent = (
            await Agents.CreateAsync(Actor.Admin, new NewAgent(ServiceHost.Unique("live"), null, null), Ct)
        ).Value!;
        var version = (await versions.CreateAsync(Actor.Admin, agent.Id, null, new VersionDraft(), Ct)).Value!;
        await versions.DeployAsync(Actor.Admin, agent.Id, version.Id, Ct);

        var refused = await Agents.DeleteAsync(Actor.Admin, agent.Id, Ct);
        await versions.RetractAsync(Actor.Admin, agent.Id, version.Id, Ct);
        var deleted = await Agents.DeleteAsync(Actor.Admin, agent.Id, Ct);

        Assert.Equal(DomainErrorCodes.Conflict, refused.Error?.Code);
        Assert.True(deleted.IsSuccess, deleted.Error?.Message);
        Assert.Equal(DomainErrorCodes.NotFound, (await Agents.GetAsync(agent.Id, Ct)).Error?.Code);
        await using var db = await Fx.Contexts.CreateDbContextAsync(Ct);
        Assert.False(await db.AgentVersions.AnyAsync(v => v.AgentId == agent.Id, Ct));
        Assert.Contains(await Fx.AuditOfAsync(agent.Id), e => e.Action == "agent.deleted");
    }
}
