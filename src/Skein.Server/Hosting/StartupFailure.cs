using Microsoft.Extensions.Options;

namespace Skein.Server.Hosting;

/// <summary>
/// A start that fails (port in use, bad configuration, store unreachable) ends with one readable line on stderr and
/// exit code 1, not a stack trace and an abort.
/// </summary>
public static class StartupFailure
{
    public const int ExitCode = 1;

    public static int Report(Exception exception)
    {
        Console.Error.WriteLine("skein: failed to start: " + Describe(exception));
        return ExitCode;
    }

    public static string Describe(Exception exception)
    {
        var e = exception;
        while (e is AggregateException { InnerExceptions.Count: 1 } a)
        {
            e = a.InnerExceptions[0];
        }

        var message = e switch
        {
            IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException } => e.Message
                + " (another process uses that port: choose one with --urls or ASPNETCORE_HTTP_PORTS)",
            OptionsValidationException o => "invalid configuration: " + string.Join("; ", o.Failures),
            _ when e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) =>
                $"{e.Message} ({inner.Message})",
            _ => e.Message,
        };
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
    }
}
