using System.Diagnostics;
using System.Text;
using Skein.Testing;

namespace Skein.Server.Tests.Cli;

/// <summary>The built <c>skein</c> CLI as a real child process, with its output captured while it runs.</summary>
public sealed class CliProcess : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _lock = new();

    private CliProcess(Process process) => _process = process;

    public string Stdout
    {
        get
        {
            lock (_lock)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_lock)
            {
                return _stderr.ToString();
            }
        }
    }

    public static CliProcess Start(Uri server, string? token, string workingDirectory, params string[] args) =>
        StartWithInput(server, token, workingDirectory, "", args);

    /// <summary>Starts the CLI with <paramref name="input"/> as its standard input (then closed: a question the CLI
    /// asks after it reads end of input, never the test runner's own input).</summary>
    public static CliProcess StartWithInput(
        Uri server,
        string? token,
        string workingDirectory,
        string input,
        params string[] args
    )
    {
        var info = new ProcessStartInfo(ServerProcess.DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "skein.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SKEIN_SERVER"] = server.ToString();
        info.Environment.Remove("SKEIN_ADMIN_TOKEN");
        info.Environment["SKEIN_DATA_DIR"] = workingDirectory;
        if (token is not null)
        {
            info.Environment["SKEIN_ADMIN_TOKEN"] = token;
        }

        var process = new Process { StartInfo = info };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => cli.Append(cli._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => cli.Append(cli._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        return cli;
    }

    /// <summary>Waits for the exit and returns the exit code.</summary>
    public async Task<int> ExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"skein did not exit in time.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>Polls the captured stdout until it contains <paramref name="text"/> (the process keeps
    /// running).</summary>
    public Task<string> WaitForOutputAsync(string text) =>
        Eventually.Get(
            () => Task.FromResult(Stdout),
            s => s.Contains(text, StringComparison.Ordinal) || _process.HasExited,
            what: $"skein to print '{text}'"
        );

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            buffer.AppendLine(line);
        }
    }
}
