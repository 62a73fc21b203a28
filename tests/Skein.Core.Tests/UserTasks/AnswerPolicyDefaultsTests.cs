using Skein.Core.UserTasks;

namespace Skein.Core.Tests.UserTasks;

/// <summary>SPEC section 4: over <c>/v1</c> a <c>userTaskId</c> without <c>approved</c> approves an approval.</summary>
public sealed class AnswerPolicyDefaultsTests
{
    [Fact]
    public void An_api_key_approval_without_a_decision_is_approved() =>
        Assert.True(AnswerPolicy.ApiKey(true).Complete(UserTaskKinds.Approval, new UserTaskAnswer()).Approved);

    [Fact]
    public void An_explicit_rejection_stays_a_rejection() =>
        Assert.False(
            AnswerPolicy.ApiKey(true).Complete(UserTaskKinds.Approval, new UserTaskAnswer { Approved = false }).Approved
        );

    [Fact]
    public void Operators_and_other_kinds_get_no_default()
    {
        Assert.Null(AnswerPolicy.Operator.Complete(UserTaskKinds.Approval, new UserTaskAnswer()).Approved);
        Assert.Null(AnswerPolicy.ApiKey(true).Complete(UserTaskKinds.AnomalyReview, new UserTaskAnswer()).Approved);
    }
}
