using Skein.Core.Operators;

namespace Skein.Server.Dashboard.Auth;

/// <summary>Creates the <c>admin</c> account at start (after migrations) and prints a generated password
/// once.</summary>
public sealed class OperatorAccountSeeder(OperatorAccount account, IConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = configuration["SKEIN_ADMIN_PASSWORD"] is { Length: > 0 } value ? value : null;
        if (configured is not null && PasswordRules.Check(configured) is { } tooShort)
        {
            throw new InvalidOperationException(
                $"SKEIN_ADMIN_PASSWORD is too short: {tooShort.Message}; set a longer one (or unset it to keep the "
                    + "current password)"
            );
        }

        if (await account.EnsureAsync(configured, cancellationToken) is { } generated)
        {
            Console.WriteLine(
                $"Dashboard sign-in (shown once; set SKEIN_ADMIN_PASSWORD to choose it): user "
                    + $"{OperatorAccount.AdminName}, password {generated}"
            );
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
