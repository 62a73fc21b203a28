using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Skein.Bench.Api;

/// <summary>
/// Asks another .NET process for one full, blocking garbage collection and waits until it has ended, the way
/// dotnet-gcdump does: an EventPipe session with the runtime's GCHeapCollect keyword. What the process's memory is
/// after it is what the process holds, without the garbage its collector has not come back for yet.
/// </summary>
public static class InducedCollection
{
    public static async Task RunAsync(int processId, CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(processId);
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = client.StartEventPipeSession(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, keywords)],
            requestRundown: false
        );
        using var source = new EventPipeEventSource(session.EventStream);
        var induced = -1;
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Clr.GCStart += e =>
        {
            if (e.Depth == 2 && e.Reason is GCReason.Induced or GCReason.InducedNotForced or GCReason.InducedCompacting)
            {
                induced = e.Count;
            }
        };
        source.Clr.GCStop += e =>
        {
            if (e.Count == induced)
            {
                ended.TrySetResult();
            }
        };

        var reading = Task.Run(source.Process, CancellationToken.None);
        try
        {
            await ended.Task.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
            await reading;
        }
    }
}
