using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Skein.Testing;

/// <summary>
/// The already-built Skein server as a real child process over one data directory. <see cref="Kill"/> is
/// SIGKILL, so nothing shuts down cleanly: that is a crash, where disposing an in-process host is a stop.
/// Starting another instance on the same directory is a restart.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    public const string AssemblyName = "Skein.Server.dll";
    public static readonly TimeSpan DefaultStartupTimeout = TimeSpan.FromSeconds(60);

    // Children still alive when the test run itself exits (a failed dispose, Ctrl+C) are killed then.
    private static readonly ConcurrentDictionary<ServerProcess, byte> Live = new();

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();

    static ServerProcess() =>
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var server in Live.Keys)
            {
                server.Dispose();
            }
        };

    private ServerProcess(Process process, Uri baseAddress, string adminToken)
    {
        _process = process;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
    }

    public Uri BaseAddress { get; }

    /// <summary>Talks to this instance with the admin bearer token.</summary>
    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the server wrote to stdout and stderr so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the server on a free loopback port and returns once <c>/healthz</c> answers 200. <paramref
    /// name="environment"/>
    /// adds settings, e.g. <c>Skein__Store</c> and <c>ConnectionStrings__Skein</c> for a PostgreSQL node.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(
        string dataDirectory,
        string adminToken,
        CancellationToken cancellationToken,
        TimeSpan? startupTimeout = null,
        IReadOnlyDictionary<string, string>? environment = null
    )
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(dataDirectory, adminToken, environment);
            try
            {
                await server.WaitHealthyAsync(startupTimeout ?? DefaultStartupTimeout, cancellationToken);
                return server;
            }
            catch (InvalidOperationException) when (attempt < PortAttempts && server.LostItsPort)
            {
                // The free port was taken between choosing it and the server binding it (tests start servers and
                // listeners in parallel): start again on another.
                server.Dispose();
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }
    }

    private const int PortAttempts = 3;

    private bool LostItsPort =>
        _process.HasExited && Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    private static ServerProcess Launch(
        string dataDirectory,
        string adminToken,
        IReadOnlyDictionary<string, string>? environment
    )
    {
        var assembly = LocateServerAssembly();
        var baseAddress = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}");
        var info = new ProcessStartInfo(DotnetHost())
        {
            // The content root is the working directory: the server's appsettings.json sits next to its dll.
            WorkingDirectory = Path.GetDirectoryName(assembly) ?? AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(assembly);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        info.Environment["SKEIN_DATA_DIR"] = dataDirectory;
        info.Environment["SKEIN_ADMIN_TOKEN"] = adminToken;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Skein__Egress__AllowPrivateNetworks"] = "true";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process, baseAddress, adminToken);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {info.FileName} {assembly}");
        }

        Live.TryAdd(server, 0);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>SIGTERM (what a service manager sends to stop): the server shuts down on its own; the returned task
    /// ends when the process is gone.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>SIGKILL (the whole process tree), then waits until the process is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            throw new InvalidOperationException($"server process {_process.Id} did not exit after SIGKILL");
        }

        // The parameterless wait also drains the redirected output into the buffer.
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Live.TryRemove(this, out _);
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Never started, or already reaped: nothing left to kill.
        }

        Client.Dispose();
        _process.Dispose();
    }

    /// <summary>
    /// The server's build output. The test project references Skein.Server, so its dll, deps, runtimeconfig
    /// and appsettings.json are copied next to the test assembly; otherwise use src/Skein.Server/bin.
    /// </summary>
    public static string LocateServerAssembly()
    {
        var local = Path.Combine(AppContext.BaseDirectory, AssemblyName);
        if (IsRunnable(local))
        {
            return local;
        }

        var configuration = typeof(ServerProcess)
            .Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()
            ?.Configuration
            ?? "Debug";
        var framework = Path.GetFileName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Skein.slnx")))
            {
                var built = Path.Combine(
                    dir.FullName,
                    "src",
                    "Skein.Server",
                    "bin",
                    configuration,
                    framework,
                    AssemblyName
                );
                if (IsRunnable(built))
                {
                    return built;
                }

                break;
            }
        }

        throw new FileNotFoundException(
            $"{AssemblyName} with its runtimeconfig and deps was not found next to the tests "
                + $"({AppContext.BaseDirectory}) "
                + $"or in src/Skein.Server/bin/{configuration}/{framework}; build the solution first"
        );
    }

    private static bool IsRunnable(string assembly) =>
        File.Exists(assembly)
        && File.Exists(Path.ChangeExtension(assembly, ".runtimeconfig.json"))
        && File.Exists(Path.ChangeExtension(assembly, ".deps.json"));

    /// <summary>The dotnet host that runs this test process, for starting other built .NET programs.</summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == executable)
        {
            return self;
        }

        // The runtime directory is <dotnet root>/shared/Microsoft.NETCore.App/<version>/.
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, executable);
        return File.Exists(candidate) ? candidate : executable;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException(
                    $"the server exited with code {_process.ExitCode} before it was healthy. Output:\n{Output}"
                );
            }

            try
            {
                using var response = await Client.GetAsync("/healthz", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"the server at {BaseAddress} was not healthy within {timeout.TotalSeconds:0} s. Output:\n{Output}"
                );
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.AppendLine(line);
        }
    }
}
