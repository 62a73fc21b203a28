using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skein.Engine.Runs;
using Skein.Store.Sessions;

namespace Skein.Engine.Timers;

/// <summary>
/// On start, resumes every run the store says is Running: they were in flight when the process stopped
/// (or was killed). Each resumes from its last committed step.
/// </summary>
public sealed partial class RecoveryService(RunQueries runs, RunDispatcher dispatcher, ILogger<RecoveryService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var running = await runs.RunningAsync(stoppingToken);
            foreach (var run in running)
            {
                dispatcher.Dispatch(run.SessionId, run.RunId);
            }

            Log.Resumed(logger, running.Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        catch (Exception ex)
        {
            Log.RecoveryFailed(logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Resumed {Count} running runs")]
        public static partial void Resumed(ILogger logger, int count);

        [LoggerMessage(EventId = 3202, Level = LogLevel.Error, Message = "Recovery of running runs failed")]
        public static partial void RecoveryFailed(ILogger logger, Exception exception);
    }
}
