using Skein.Core.Operators;
using Skein.Server.Hosting;

namespace Skein.Server.Dashboard.Auth;

/// <summary>Creates the <c>admin</c> account at start (after migrations); a generated password goes to an
/// owner-only file in the data folder and one log line says where (never the password itself).</summary>
public sealed partial class OperatorAccountSeeder(
    OperatorAccount account,
    IConfiguration configuration,
    SkeinHostOptions host,
    ILogger<OperatorAccountSeeder> logger
) : IHostedService
{
    public const string PasswordFile = "admin-password";

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
            var file = Path.Combine(host.DataDirectory, PasswordFile);
            await File.WriteAllTextAsync(file, generated, cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            Log.PasswordGenerated(logger, OperatorAccount.AdminName, file);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 1021,
            Level = LogLevel.Warning,
            Message = "Dashboard sign-in: user {User}, password generated and saved in {File} (owner-only); "
                + "set SKEIN_ADMIN_PASSWORD to choose it"
        )]
        public static partial void PasswordGenerated(ILogger logger, string user, string file);
    }
}
