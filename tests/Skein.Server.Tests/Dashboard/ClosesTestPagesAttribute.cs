using System.Reflection;
using Xunit.v3;

namespace Skein.Server.Tests.Dashboard;

/// <summary>
/// Closes a dashboard test's pages when it ends. A page left open keeps its live feeds connected, and each wakes and
/// re-reads the store on every commit: left to pile up over the collection (about fifty pages, a hundred
/// connections), they slowed every later test until a live update missed its 5-second expectation in CI.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ClosesTestPagesAttribute : BeforeAfterTestAttribute
{
    // After is synchronous in xunit v3; the close runs on the thread pool so it never waits on xunit's own context.
    public override void After(MethodInfo methodUnderTest, IXunitTest test) =>
        Task.Run(DashboardFixture.CloseTestPagesAsync).GetAwaiter().GetResult();
}
