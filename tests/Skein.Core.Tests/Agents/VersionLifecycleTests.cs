using Skein.Core.Agents;

namespace Skein.Core.Tests.Agents;

public sealed class VersionLifecycleTests
{
    private static readonly DateTime Now = new(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc);
    private static readonly Guid V1 = Guid.NewGuid(),
        V2 = Guid.NewGuid(),
        V3 = Guid.NewGuid();

    private static VersionLine Line(Guid id, string label, VersionState state, int deployedDaysAgo = -1) =>
        new(id, label, state, Now.AddDays(-10), deployedDaysAgo < 0 ? null : Now.AddDays(-deployedDaysAgo));

    [Fact]
    public void Deploy_archives_the_live_version_and_deploys_the_target()
    {
        var changes = VersionLifecycle.Deploy(
            [Line(V1, "v1", VersionState.Deployed, 3), Line(V2, "v2", VersionState.Testing)],
            V2,
            Now
        );

        Assert.Equal(
            [
                new VersionStateChange(V1, VersionState.Archived, Now.AddDays(-3)),
                new VersionStateChange(V2, VersionState.Deployed, Now),
            ],
            changes
        );
    }

    [Fact]
    public void Deploying_the_live_version_again_is_a_conflict()
    {
        var error = Assert.Throws<DomainException>(() =>
            VersionLifecycle.Deploy([Line(V1, "v1", VersionState.Deployed, 1)], V1, Now)
        );
        Assert.Equal(DomainErrorCodes.Conflict, error.Error.Code);
    }

    [Fact]
    public void Rollback_redeploys_the_most_recently_deployed_archived_version()
    {
        var changes = VersionLifecycle.Rollback(
            [
                Line(V1, "v1", VersionState.Archived, 5),
                Line(V2, "v2", VersionState.Archived, 2),
                Line(V3, "v3", VersionState.Deployed, 1),
            ],
            Now
        );

        Assert.Equal(VersionState.Archived, changes.Single(c => c.Id == V3).To);
        Assert.Equal(new VersionStateChange(V2, VersionState.Deployed, Now), changes.Single(c => c.Id == V2));
        Assert.DoesNotContain(changes, c => c.Id == V1);
    }

    [Fact]
    public void Rollback_needs_an_earlier_deployed_version()
    {
        // v1 was archived without ever going live: it is not a rollback target.
        var error = Assert.Throws<DomainException>(() =>
            VersionLifecycle.Rollback(
                [Line(V1, "v1", VersionState.Archived), Line(V2, "v2", VersionState.Deployed, 1)],
                Now
            )
        );
        Assert.Equal(DomainErrorCodes.Conflict, error.Error.Code);
    }

    [Fact]
    public void Retract_archives_only_the_deployed_version()
    {
        Assert.Equal(
            [new VersionStateChange(V1, VersionState.Archived, Now.AddDays(-1))],
            VersionLifecycle.Retract([Line(V1, "v1", VersionState.Deployed, 1)], V1)
        );
        Assert.Throws<DomainException>(() => VersionLifecycle.Retract([Line(V2, "v2", VersionState.Testing)], V2));
    }

    [Theory]
    [InlineData(VersionState.Deployed)]
    [InlineData(VersionState.Archived)]
    public void Only_testing_versions_are_editable(VersionState state)
    {
        VersionLifecycle.EnsureEditable(Line(V1, "v1", VersionState.Testing));
        Assert.Throws<DomainException>(() => VersionLifecycle.EnsureEditable(Line(V1, "v1", state)));
    }

    [Fact]
    public void Next_label_is_one_past_the_highest_numbered_label()
    {
        Assert.Equal("v1", VersionLifecycle.NextLabel([]));
        Assert.Equal(
            "v8",
            VersionLifecycle.NextLabel([
                Line(V1, "v7", VersionState.Archived),
                Line(V2, "beta", VersionState.Testing),
                Line(V3, "v2", VersionState.Deployed),
            ])
        );
    }

    [Fact]
    public void A_draft_reports_every_problem_by_field()
    {
        var problems = new VersionDraft
        {
            Temperature = 2.5,
            Description = new string('x', 513),
            Conversation = "chatty",
        }.Problems();

        Assert.Contains("temperature: must be between 0 and 2", problems);
        Assert.Contains(problems, p => p.StartsWith("description:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("conversation:", StringComparison.Ordinal));
        Assert.Empty(new VersionDraft { Temperature = 0.2 }.Problems());
    }
}
