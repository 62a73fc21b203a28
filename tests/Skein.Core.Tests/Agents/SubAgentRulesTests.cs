using Skein.Core.Agents;

namespace Skein.Core.Tests.Agents;

/// <summary>The wiring rules of multi-agent sessions (SPEC section 9).</summary>
public sealed class SubAgentRulesTests
{
    private static readonly Guid Self = Guid.NewGuid();
    private static readonly Guid Child = Guid.NewGuid();
    private static readonly Guid Plain = Guid.NewGuid();

    private static readonly Dictionary<Guid, (string Name, ExecutionMode Mode)> Agents = new()
    {
        [Self] = ("self", ExecutionMode.Request),
        [Child] = ("child", ExecutionMode.SubAgent),
        [Plain] = ("plain", ExecutionMode.Request),
    };

    [Fact]
    public void Listed_sub_agents_with_the_switch_on_are_valid() =>
        Assert.Empty(SubAgentRules.CheckWiring(Self, true, [Child], Agents));

    [Fact]
    public void The_switch_off_needs_an_empty_list() =>
        Assert.Contains(SubAgentRules.CheckWiring(Self, false, [Child], Agents), p => p.Contains("must be empty"));

    [Fact]
    public void Self_unknown_non_sub_agents_duplicates_and_more_than_five_are_each_named()
    {
        Assert.Contains(SubAgentRules.CheckWiring(Self, true, [Self], Agents), p => p.Contains("itself"));
        Assert.Contains(SubAgentRules.CheckWiring(Self, true, [Plain], Agents), p => p.Contains("not SubAgent"));
        Assert.Contains(SubAgentRules.CheckWiring(Self, true, [Guid.NewGuid()], Agents), p => p.Contains("no agent"));
        Assert.Contains(SubAgentRules.CheckWiring(Self, true, [Child, Child], Agents), p => p.Contains("twice"));
        Assert.Contains(SubAgentRules.CheckWiring(Self, true, [.. Enumerable.Repeat(Child, 6)], Agents), p =>
            p.Contains("at most 5")
        );
    }

    [Fact]
    public void A_sub_agent_needs_a_description_and_is_not_startable()
    {
        Assert.NotNull(SubAgentRules.CheckDescription(ExecutionMode.SubAgent, " "));
        Assert.Null(SubAgentRules.CheckDescription(ExecutionMode.Request, ""));
        Assert.Equal("subagent_not_startable", SubAgentRules.CheckStartable(ExecutionMode.SubAgent, "x")?.Code);
        Assert.Null(SubAgentRules.CheckStartable(ExecutionMode.HITL, "x"));
        Assert.Equal(400, ErrorTypes.Of(SubAgentRules.NotStartable).Status);
    }

    [Fact]
    public void A_listed_sub_agent_keeps_its_mode() =>
        Assert.Equal(
            DomainErrorCodes.Conflict,
            SubAgentRules.CheckModeChange(ExecutionMode.SubAgent, ExecutionMode.Request, ["team v1"])?.Code
        );
}
