using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Skein.Server.Tests.Crash;

/// <summary>
/// A local integration endpoint on Kestrel: records every call with its Idempotency-Key and, while held,
/// keeps calls open until released, so a test can kill the server while its tool call is in flight.
/// </summary>
public sealed class OperationReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly List<ReceivedCall> _calls = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private TaskCompletionSource _gate = Open();
    private int _holdAfter;

    private OperationReceiver(WebApplication app) => _app = app;

    public string BaseUrl => _app.Urls.Single();

    public IReadOnlyList<ReceivedCall> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public static async Task<OperationReceiver> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OperationReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync(cancellationToken);
        return receiver;
    }

    /// <summary>From now on each call is recorded, then left open until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            if (_gate.Task.IsCompleted)
            {
                _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>
    /// Answers the first <paramref name="calls"/> calls at once and holds every later one until <see cref="Release"/>:
    /// runs progress freely up to that point, and whatever is still running then stays in flight.
    /// </summary>
    public void HoldAfter(int calls)
    {
        lock (_lock)
        {
            _holdAfter = calls;
            if (_gate.Task.IsCompleted)
            {
                _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Lets held calls (and later ones) answer.</summary>
    public void Release()
    {
        lock (_lock)
        {
            _gate.TrySetResult();
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> calls have arrived (held or not).</summary>
    public async Task WaitForCallsAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_calls.Count >= count)
            {
                return;
            }

            _waiters.Add((count, reached));
        }

        try
        {
            await reached.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"the receiver got {Calls.Count} of {count} expected calls within {timeout.TotalSeconds:0} s"
            );
        }
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        Task gate;
        int number;
        lock (_lock)
        {
            _calls.Add(
                new ReceivedCall(
                    context.Request.Method,
                    context.Request.Path,
                    context.Request.Headers["Idempotency-Key"].ToString(),
                    body
                )
            );
            number = _calls.Count;
            foreach (var waiter in _waiters.Where(w => w.Count <= number).ToList())
            {
                waiter.Reached.TrySetResult();
                _waiters.Remove(waiter);
            }

            gate = number > _holdAfter ? _gate.Task : Task.CompletedTask;
        }

        try
        {
            await gate.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller died while the call was held: that is the crash under test.
            return;
        }

        await context.Response.WriteAsJsonAsync(new { receipt = $"r-{number}" }, context.RequestAborted);
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}

public sealed record ReceivedCall(string Method, string Path, string IdempotencyKey, string Body);
