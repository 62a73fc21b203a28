using Skein.Server.Hosting;

namespace Skein.Server.Security;

/// <summary>
/// On Unix, makes the data folder (database and its -wal/-shm, uploaded files, key ring, token files) readable by
/// the server's user only: folders 0700, files 0600 (issue #15 item 19). The process's file-creation mask is set to
/// 077 when services are registered, so everything Skein creates from then on is private; at start this service
/// also tightens what an earlier version left behind.
/// </summary>
public sealed class DataFolderPermissions(SkeinHostOptions host, IConfiguration configuration) : IHostedService
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            Restrict(host.DataDirectory);
            if (configuration["Skein:KeyRingPath"] is { Length: > 0 } keyRing)
            {
                Restrict(keyRing);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Files and folders the process creates from now on are its user's only (umask 077).</summary>
    public static void CreatePrivateFiles()
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = Umask(0x3F); // octal 077
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);

    /// <summary>The folder and everything under it.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static void Restrict(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        File.SetUnixFileMode(folder, FolderMode);
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            entry.UnixFileMode = entry is DirectoryInfo ? FolderMode : FileMode;
        }
    }
}
