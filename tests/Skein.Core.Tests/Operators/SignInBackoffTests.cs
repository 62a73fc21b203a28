using Skein.Core.Operators;

namespace Skein.Core.Tests.Operators;

public sealed class SignInBackoffTests
{
    [Fact]
    public void The_lock_doubles_after_the_free_failures_up_to_its_longest()
    {
        Assert.Equal(TimeSpan.Zero, SignInBackoff.LockFor(SignInBackoff.FreeFailures - 1));
        Assert.Equal(SignInBackoff.FirstLock, SignInBackoff.LockFor(SignInBackoff.FreeFailures));
        Assert.Equal(SignInBackoff.FirstLock * 2, SignInBackoff.LockFor(SignInBackoff.FreeFailures + 1));
        Assert.Equal(SignInBackoff.LongestLock, SignInBackoff.LockFor(1000));
    }

    [Fact]
    public void A_password_needs_twelve_characters()
    {
        Assert.NotNull(PasswordRules.Check("elevenchars"));
        Assert.Null(PasswordRules.Check("twelve-chars"));
    }
}
