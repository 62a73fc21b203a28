using System.Runtime.CompilerServices;

namespace Skein.Server.Tests;

/// <summary>Settings every child process of this test run inherits through the environment.</summary>
internal static class ChildProcesses
{
    /// <summary>
    /// The server and CLI processes the tests start (<c>ServerProcess</c>, <c>CliProcess</c>, <c>LaunchedProcess</c>)
    /// run without dynamic PGO, like the test host (see the project file): each lives seconds, so the instrumented
    /// tier only costs CPU. Set here, once, rather than in <c>ServerProcess</c>, which the latency benchmarks also
    /// start and which must run the product's defaults there.
    /// </summary>
    [ModuleInitializer]
    internal static void WithoutDynamicPgo() => Environment.SetEnvironmentVariable("DOTNET_TieredPGO", "0");
}
