using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Application.ApiKeys;
using Skein.Application.Triggers;
using Skein.Application.Workspaces;
using Skein.Core;
using Skein.Store;
using Skein.Store.ApiKeys;
using Skein.Testing;

namespace Skein.Server.Tests.Application;

/// <summary><see cref="ApiKeyService"/> and <see cref="WorkspaceSettingsService"/> on both stores.</summary>
public sealed class ApiKeyAndWorkspaceServiceTests(ApiServers servers) : ApiTests(servers)
{
    private static readonly Actor Tester = Actor.Operator("tester");

    private T Service<T>()
        where T : notnull => Server.Services.GetRequiredService<T>();

    private async Task<ApiKeyStore.Scope> ApiTriggerAsync()
    {
        _ = Server.Server;
        var agent = await TestData.CreateAgentAsync(
            Service<IDbContextFactory<SkeinDbContext>>(),
            new AgentSpec { Script = [new() { Text = "ok" }] },
            Ct
        );
        var trigger = await Service<TriggerService>()
            .PutApiAsync(agent.AgentId, new ApiTriggerBody(null, null, null, null, null, null), Tester, Ct);
        return new ApiKeyStore.Scope(agent.AgentId, trigger.Value!.Id);
    }

    [StoreFact]
    public async Task A_created_key_authenticates_until_it_is_revoked_and_both_are_audited()
    {
        var scope = await ApiTriggerAsync();
        var keys = Service<ApiKeyService>();

        var created = await keys.CreateAsync("ci", [scope], false, Tester, Ct);
        var client = Server.CreateApiClient(created.Value!.Secret);
        var before = await client.GetAsync("/v1/agents", Ct);
        var revoked = await keys.RevokeAsync(created.Value.Id, Tester, Ct);
        var after = await client.GetAsync("/v1/agents", Ct);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.True(revoked.IsSuccess);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        var listed = Assert.Single(await keys.ListAsync(Ct), k => k.Id == created.Value.Id);
        Assert.NotNull(listed.RevokedAt);
        Assert.Equal([scope], listed.Scopes);
        await using var db = await Service<IDbContextFactory<SkeinDbContext>>().CreateDbContextAsync(Ct);
        Assert.Equal(
            ["api_key.created", "api_key.revoked"],
            await db
                .AuditLog.Where(a => a.SubjectId == created.Value.Id)
                .OrderBy(a => a.At)
                .Select(a => a.Action)
                .ToListAsync(Ct)
        );
    }

    [StoreFact]
    public async Task A_key_scoped_to_a_trigger_of_another_agent_is_refused()
    {
        var scope = await ApiTriggerAsync();
        var other = await ApiTriggerAsync();

        var refused = await Service<ApiKeyService>()
            .CreateAsync("crossed", [scope with { TriggerId = other.TriggerId }], false, Tester, Ct);

        Assert.Equal(DomainErrorCodes.InvalidInput, refused.Error?.Code);
    }

    [StoreFact]
    public async Task Revoking_an_unknown_key_is_not_found() =>
        Assert.Equal(
            DomainErrorCodes.NotFound,
            (await Service<ApiKeyService>().RevokeAsync(Guid.NewGuid(), Tester, Ct)).Error?.Code
        );

    [StoreFact]
    public async Task Workspace_limits_out_of_bounds_name_every_problem_and_save_nothing()
    {
        _ = Server.Server;
        var workspace = Service<WorkspaceSettingsService>();
        var before = await workspace.GetAsync(Ct);

        var refused = await workspace.UpdateAsync(0, 10, -1, Tester, Ct);

        Assert.Equal(3, refused.Error?.Message.Split('\n').Length);
        Assert.Equal(before.RetentionDays, (await workspace.GetAsync(Ct)).RetentionDays);
    }

    [StoreFact]
    public async Task Workspace_limits_within_bounds_are_saved()
    {
        _ = Server.Server;
        var workspace = Service<WorkspaceSettingsService>();

        var saved = await workspace.UpdateAsync(45, 7200, 600, Tester, Ct);

        Assert.True(saved.IsSuccess);
        var now = await workspace.GetAsync(Ct);
        Assert.Equal((45, 7200, 600), (now.RetentionDays, now.MaxActiveSessionSeconds, now.AgentWaitBudgetSeconds));
    }
}
