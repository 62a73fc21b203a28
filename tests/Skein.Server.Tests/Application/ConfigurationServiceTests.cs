using Microsoft.EntityFrameworkCore;
using Skein.Application.Agents;
using Skein.Application.Integrations;
using Skein.Application.Providers;
using Skein.Application.Secrets;
using Skein.Application.Versions;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Providers;
using Skein.Store.Secrets;

namespace Skein.Server.Tests.Application;

/// <summary>Versions, providers, integrations and secrets through their services on a real SQLite store.</summary>
public sealed class ConfigurationServiceTests(ApiServers servers) : ApiTests(servers)
{
    private ServiceHost Fx => field ??= new(Server);

    [StoreFact]
    public async Task Deploying_archives_the_live_version_and_audits_both_moves()
    {
        var versions = Fx.Get<VersionService>();
        var agent = await NewAgentAsync();
        var v1 = (await versions.CreateAsync(Actor.Admin, agent, null, new VersionDraft(), Ct)).Value!;
        var v2 = (await versions.CreateAsync(Actor.Admin, agent, null, new VersionDraft(), Ct)).Value!;
        await versions.DeployAsync(Actor.Admin, agent, v1.Id, Ct);

        var moved = await versions.DeployAsync(Actor.Operator("bo"), agent, v2.Id, Ct);

        Assert.True(moved.IsSuccess, moved.Error?.Message);
        var states = (await versions.ListAsync(agent, Ct)).Value!.ToDictionary(v => v.Id, v => v.State);
        Assert.Equal(("Archived", "Deployed"), (states[v1.Id], states[v2.Id]));
        Assert.Contains(await Fx.AuditOfAsync(v1.Id), e => e is { Action: "version.deployed", Actor: "operator:bo" });
        Assert.Contains(await Fx.AuditOfAsync(v2.Id), e => e is { Action: "version.deployed", Actor: "operator:bo" });
    }

    [StoreFact]
    public async Task A_deployed_version_is_read_only_and_the_refusal_changes_nothing()
    {
        var versions = Fx.Get<VersionService>();
        var agent = await NewAgentAsync();
        var v1 = (await versions.CreateAsync(Actor.Admin, agent, null, new VersionDraft(), Ct)).Value!;
        await versions.DeployAsync(Actor.Admin, agent, v1.Id, Ct);

        var edited = await versions.UpdateAsync(
            Actor.Admin,
            agent,
            v1.Id,
            new VersionDraft { Instructions = "changed" },
            Ct
        );

        Assert.Equal(DomainErrorCodes.Conflict, edited.Error?.Code);
        Assert.Equal("", (await versions.ListAsync(agent, Ct)).Value!.Single().Instructions);
        Assert.DoesNotContain(await Fx.AuditOfAsync(v1.Id), e => e.Action == "version.updated");
    }

    [StoreFact]
    public async Task Invalid_guard_rules_list_each_problem()
    {
        var versions = Fx.Get<VersionService>();
        var agent = await NewAgentAsync();
        var v1 = (await versions.CreateAsync(Actor.Admin, agent, null, new VersionDraft(), Ct)).Value!;

        var saved = await versions.PutGuardRulesAsync(
            Actor.Admin,
            agent,
            v1.Id,
            System.Text.Json.JsonDocument.Parse("""[{"id":""}]""").RootElement,
            Ct
        );

        Assert.Equal(DomainErrorCodes.InvalidInput, saved.Error?.Code);
        Assert.NotEmpty(saved.Error?.Errors ?? []);
    }

    [StoreFact]
    public async Task An_inline_provider_key_is_kept_as_a_generated_secret_that_goes_when_the_key_is_removed()
    {
        var providers = Fx.Get<ProviderService>();
        var store = Fx.Get<SecretStore>();
        var change = new ProviderChange(ServiceHost.Unique("p"), "openai", "http://127.0.0.1:9", null, "sk-1", null);

        var created = (await providers.CreateAsync(Actor.Admin, change, Ct)).Value!;
        var secretName = ProviderRules.GeneratedKeySecretName(created.Id);
        var tenant = await TenantAsync();
        var keyBefore = await store.GetAsync(tenant, secretName, Ct);
        await providers.UpdateAsync(Actor.Admin, created.Id, new ProviderChange(null, null, null, "", null, null), Ct);

        Assert.Equal(secretName, created.ApiKeySecretName);
        Assert.Equal("sk-1", keyBefore);
        Assert.Null(await store.GetAsync(tenant, secretName, Ct));
        Assert.Equal(
            ["provider.created", "provider.updated"],
            (await Fx.AuditOfAsync(created.Id)).Select(e => e.Action)
        );
    }

    [StoreTheory]
    [InlineData("ftp://models.example", "baseUrl")]
    [InlineData("", "kind")]
    public async Task A_provider_breaking_a_rule_is_refused_as_invalid_input(string baseUrl, string field)
    {
        var kind = field == "kind" ? "mystery" : "openai";
        var change = new ProviderChange(ServiceHost.Unique("bad"), kind, baseUrl, null, null, null);

        var created = await Fx.Get<ProviderService>().CreateAsync(Actor.Admin, change, Ct);

        Assert.Equal(DomainErrorCodes.InvalidInput, created.Error?.Code);
        Assert.Contains(field, created.Error?.Message);
    }

    [StoreFact]
    public async Task A_provider_in_use_cannot_be_deleted()
    {
        var providers = Fx.Get<ProviderService>();
        var provider = (
            await providers.CreateAsync(
                Actor.Admin,
                new ProviderChange(ServiceHost.Unique("used"), "scripted", null, null, null, null),
                Ct
            )
        ).Value!;
        var agentName = ServiceHost.Unique("user");
        await Fx.Get<AgentService>().CreateAsync(Actor.Admin, new NewAgent(agentName, null, provider.Id), Ct);

        var deleted = await providers.DeleteAsync(Actor.Admin, provider.Id, Ct);

        Assert.Equal(DomainErrorCodes.Conflict, deleted.Error?.Code);
        Assert.Contains(agentName, deleted.Error?.Message);
    }

    [StoreFact]
    public async Task Integration_rules_refuse_missing_header_and_built_in_names_and_a_no_op_edit_is_not_audited()
    {
        var integrations = Fx.Get<IntegrationService>();
        var name = ServiceHost.Unique("crm");

        var noHeader = await integrations.CreateAsync(
            Actor.Admin,
            new IntegrationBody(name, "https://crm.example", "header", null, "crm-key"),
            Ct
        );
        var created = await integrations.CreateAsync(
            Actor.Admin,
            new IntegrationBody(name, "https://crm.example", "header", "X-Api-Key", "crm-key"),
            Ct
        );
        var unchanged = await integrations.UpdateAsync(
            Actor.Admin,
            created.Value!.Id,
            new IntegrationBody(name, null, null, null, null),
            Ct
        );
        var builtIn = await integrations.CreateOperationAsync(
            Actor.Admin,
            created.Value!.Id,
            new OperationBody("skein_echo", null, "GET", "/x", null, null, null, null, null),
            Ct
        );

        Assert.Contains("authHeaderName", noHeader.Error?.Message);
        Assert.True(unchanged.IsSuccess, unchanged.Error?.Message);
        Assert.Equal(DomainErrorCodes.InvalidInput, builtIn.Error?.Code);
        Assert.Contains("built-in", builtIn.Error?.Message);
        Assert.Equal(["integration.created"], (await Fx.AuditOfAsync(created.Value.Id)).Select(e => e.Action));
    }

    [StoreFact]
    public async Task A_secret_write_is_audited_without_its_value_and_a_bad_name_is_refused()
    {
        var secrets = Fx.Get<SecretService>();
        var name = ServiceHost.Unique("token");

        var set = await secrets.SetAsync(Actor.Operator("cy"), name, "s3cret-value", Ct);
        var bad = await secrets.SetAsync(Actor.Admin, "has space", "v", Ct);

        Assert.True(set.IsSuccess, set.Error?.Message);
        Assert.Equal(DomainErrorCodes.InvalidInput, bad.Error?.Code);
        await using var db = await Fx.Contexts.CreateDbContextAsync(Ct);
        var entry = await db.AuditLog.SingleAsync(a => a.Action == "secret.set" && a.Detail == name, Ct);
        Assert.Equal("operator:cy", entry.Actor);
        Assert.DoesNotContain("s3cret", entry.Detail);
        Assert.Contains(await secrets.ListAsync(Ct), s => s.Name == name);
    }

    private async Task<Guid> NewAgentAsync() =>
        (
            await Fx.Get<AgentService>()
                .CreateAsync(Actor.Admin, new NewAgent(ServiceHost.Unique("agent"), null, null), Ct)
        )
            .Value!
            .Id;

    private async Task<Guid> TenantAsync() => await Store.Workspaces.DefaultWorkspace.IdAsync(Fx.Contexts, Ct);
}
