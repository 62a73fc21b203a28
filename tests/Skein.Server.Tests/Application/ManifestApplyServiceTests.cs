using Microsoft.EntityFrameworkCore;
using Skein.Application.Agents;
using Skein.Application.Manifests;
using Skein.Core;
using Skein.Manifests.Parsing;
using Skein.Server.Tests.Manifests;

namespace Skein.Server.Tests.Application;

/// <summary>Manifest apply writes through the services: their audit, their rules, one transaction.</summary>
public sealed class ManifestApplyServiceTests(ApiServers servers) : ApiTests(servers)
{
    private ServiceHost Fx => field ??= new(Server);

    [StoreFact]
    public async Task An_applied_manifest_is_audited_as_the_actor_who_applied_it()
    {
        var name = ServiceHost.Unique("audited");

        var applied = await ApplyAsync(Actor.Operator("dee"), ManifestClient.Minimal(name));

        Assert.True(applied.IsSuccess, applied.Error?.Message);
        var agent = (await Fx.Get<AgentService>().ListAsync(Ct)).Single(a => a.Name == name);
        Assert.Contains(await Fx.AuditOfAsync(agent.Id), e => e is { Action: "agent.created", Actor: "operator:dee" });
        Assert.Contains(await Fx.AuditOfAsync(agent.DeployedVersionId!.Value), e =>
            e is { Action: "version.deployed", Actor: "operator:dee" }
        );
    }

    [StoreFact]
    public async Task A_rule_a_service_refuses_mid_apply_rolls_back_the_whole_manifest()
    {
        var name = ServiceHost.Unique("rollback");
        await ApplyAsync(Actor.Admin, ManifestClient.Minimal(name));
        var provider = ServiceHost.Unique("fresh");

        // The agent keeps its api trigger, so the service refuses to make it a SubAgent after the provider was written.
        var applied = await ApplyAsync(
            Actor.Admin,
            $"""
            kind: phrony.manifest
            version: 1
            llmProviders:
              - name: {provider}
                type: scripted
            agents:
              - manifestKey: a
                name: {name}
                executionMode: sub_agent
                llmProviderName: {provider}
            """
        );

        Assert.Equal(DomainErrorCodes.Conflict, applied.Error?.Code);
        await using var db = await Fx.Contexts.CreateDbContextAsync(Ct);
        Assert.False(await db.LlmProviders.AnyAsync(p => p.Name == provider, Ct));
        Assert.Equal(
            "Request",
            await db.Agents.Where(a => a.Name == name).Select(a => a.ExecutionMode).SingleAsync(Ct)
        );
    }

    private async Task<Result<Skein.Manifests.Planning.ManifestPlan>> ApplyAsync(Actor actor, string yaml)
    {
        var parsed = await ManifestParser.ParseAsync(yaml, null, Ct);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        var applied = await Fx.Get<ManifestApply>().ApplyAsync(actor, parsed, dryRun: false, Ct);
        if (applied.IsSuccess)
        {
            Assert.True(applied.Value.IsValid, string.Join("; ", applied.Value.Problems));
        }

        return applied;
    }
}
