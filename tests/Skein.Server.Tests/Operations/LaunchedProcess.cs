using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Skein.Testing;

namespace Skein.Server.Tests.Operations;

/// <summary>
/// The server (or any program) started exactly as an operator would: chosen working directory, arguments and
/// environment, nothing added (unlike <see cref="ServerProcess"/>, which always passes <c>--urls</c>).
/// </summary>
internal sealed class LaunchedProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private LaunchedProcess(Process process) => _process = process;

    public Process Process => _process;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static LaunchedProcess Start(
        string fileName,
        IEnumerable<string> args,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment
    )
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The operator's environment: no test-run variables that would pick another content root or environment.
        foreach (var key in new[] { "ASPNETCORE_CONTENTROOT", "DOTNET_CONTENTROOT", "ASPNETCORE_URLS", "DOTNET_URLS" })
        {
            info.Environment.Remove(key);
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var launched = new LaunchedProcess(new Process { StartInfo = info });
        launched._process.OutputDataReceived += (_, e) => Append(launched._stdout, e.Data);
        launched._process.ErrorDataReceived += (_, e) => Append(launched._stderr, e.Data);
        launched._process.Start();
        launched._process.BeginOutputReadLine();
        launched._process.BeginErrorReadLine();
        return launched;
    }

    /// <summary>The built server dll run by the dotnet host (a bin/ start).</summary>
    public static LaunchedProcess StartServerDll(
        IEnumerable<string> args,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment
    ) =>
        Start(
            ServerProcess.DotnetHost(),
            [ServerProcess.LocateServerAssembly(), .. args],
            workingDirectory,
            environment
        );

    /// <summary>Polls <paramref name="url"/> until it answers 200 (or the process exits, or a minute passes).</summary>
    public async Task WaitForAsync(string url, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"exited with {_process.ExitCode} before {url} answered.\n{Output}"
                );
            }

            try
            {
                using var response = await client.GetAsync(url, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{url} did not answer 200 in time.\n{Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public string Output => $"stdout:\n{Stdout}\nstderr:\n{Stderr}";

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async Task TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await WaitForExitAsync(timeout);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }
}
