using System.Runtime.CompilerServices;
using Skein.Testing.Stores;
using Xunit.Sdk;
using Xunit.v3;

namespace Skein.Server.Tests;

/// <summary>
/// A test that runs once on each store: one test case on SQLite and one on PostgreSQL, named
/// <c>Method [Sqlite]</c> / <c>Method [Postgres]</c> and carrying the trait <c>Store</c>. The test class reads
/// its store with <see cref="TestStores.Current"/>; <see cref="ApiTests"/> does that for every API test.
/// </summary>
[XunitTestCaseDiscoverer(typeof(StoreFactDiscoverer))]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class StoreFactAttribute(
    [CallerFilePath] string? sourceFilePath = null,
    [CallerLineNumber] int sourceLineNumber = -1
) : FactAttribute(sourceFilePath, sourceLineNumber);

/// <summary>A theory whose every data row runs once on each store (see <see cref="StoreFactAttribute"/>).</summary>
[XunitTestCaseDiscoverer(typeof(StoreTheoryDiscoverer))]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class StoreTheoryAttribute(
    [CallerFilePath] string? sourceFilePath = null,
    [CallerLineNumber] int sourceLineNumber = -1
) : TheoryAttribute(sourceFilePath, sourceLineNumber);

/// <summary>The store of the running test case, from the <c>Store</c> trait the store attributes set.</summary>
public static class TestStores
{
    public const string Trait = "Store";

    public static readonly StoreKind[] All = [StoreKind.Sqlite, StoreKind.Postgres];

    public static StoreKind Current =>
        TestContext.Current.TestCase?.Traits.TryGetValue(Trait, out var values) == true
        && values.Count == 1
        && Enum.TryParse<StoreKind>(values.Single(), out var store)
            ? store
            : throw new InvalidOperationException(
                $"{TestContext.Current.TestCase?.TestCaseDisplayName ?? "this test"} runs on no store: "
                    + "mark it [StoreFact] or [StoreTheory] so it runs on SQLite and on PostgreSQL"
            );

    /// <summary>The method's traits plus <c>Store</c>, as a new dictionary per test case.</summary>
    internal static Dictionary<string, HashSet<string>> Traits(
        IReadOnlyDictionary<string, IReadOnlyCollection<string>> traits,
        StoreKind store
    )
    {
        var copy = traits.ToDictionary(
            t => t.Key,
            t => new HashSet<string>(t.Value, StringComparer.OrdinalIgnoreCase),
            StringComparer.OrdinalIgnoreCase
        );
        copy[Trait] = [store.ToString()];
        return copy;
    }
}

/// <summary>Turns one <see cref="StoreFactAttribute"/> method into a test case per store.</summary>
public sealed class StoreFactDiscoverer : IXunitTestCaseDiscoverer
{
    public ValueTask<IReadOnlyCollection<IXunitTestCase>> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions,
        IXunitTestMethod testMethod,
        IFactAttribute factAttribute
    )
    {
        var details = TestIntrospectionHelper.GetTestCaseDetails(discoveryOptions, testMethod, factAttribute);
        IReadOnlyCollection<IXunitTestCase> cases =
        [
            .. TestStores.All.Select(store => new XunitTestCase(
                details.ResolvedTestMethod,
                $"{details.TestCaseDisplayName} [{store}]",
                $"{details.UniqueID}[{store}]",
                details.Explicit,
                details.SkipExceptions,
                details.SkipReason,
                details.SkipType,
                details.SkipUnless,
                details.SkipWhen,
                TestStores.Traits(testMethod.Traits, store),
                sourceFilePath: details.SourceFilePath,
                sourceLineNumber: details.SourceLineNumber,
                timeout: details.Timeout
            )),
        ];
        return new(cases);
    }
}

/// <summary>Turns each data row of a <see cref="StoreTheoryAttribute"/> method into a test case per store.</summary>
public sealed class StoreTheoryDiscoverer : TheoryDiscoverer
{
    protected override ValueTask<IReadOnlyCollection<IXunitTestCase>> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions,
        IXunitTestMethod testMethod,
        ITheoryAttribute theoryAttribute,
        ITheoryDataRow dataRow,
        object?[] testMethodArguments
    )
    {
        var details = TestIntrospectionHelper.GetTestCaseDetailsForTheoryDataRow(
            discoveryOptions,
            testMethod,
            theoryAttribute,
            dataRow,
            testMethodArguments
        );
        var traits = TestIntrospectionHelper.GetTraits(testMethod, dataRow);
        IReadOnlyCollection<IXunitTestCase> cases =
        [
            .. TestStores.All.Select(store => new XunitTestCase(
                details.ResolvedTestMethod,
                $"{details.TestCaseDisplayName} [{store}]",
                $"{details.UniqueID}[{store}]",
                details.Explicit,
                details.SkipExceptions,
                details.SkipReason,
                details.SkipType,
                details.SkipUnless,
                details.SkipWhen,
                TestStores.Traits(traits.ToDictionary(t => t.Key, t => (IReadOnlyCollection<string>)t.Value), store),
                testMethodArguments,
                sourceFilePath: details.SourceFilePath,
                sourceLineNumber: details.SourceLineNumber,
                timeout: details.Timeout
            )),
        ];
        return new(cases);
    }

    protected override ValueTask<IReadOnlyCollection<IXunitTestCase>> CreateTestCasesForTheory(
        ITestFrameworkDiscoveryOptions discoveryOptions,
        IXunitTestMethod testMethod,
        ITheoryAttribute theoryAttribute
    )
    {
        var details = TestIntrospectionHelper.GetTestCaseDetails(discoveryOptions, testMethod, theoryAttribute);
        IReadOnlyCollection<IXunitTestCase> cases =
        [
            .. TestStores.All.Select(store => new XunitDelayEnumeratedTheoryTestCase(
                details.ResolvedTestMethod,
                $"{details.TestCaseDisplayName} [{store}]",
                $"{details.UniqueID}[{store}]",
                details.Explicit,
                theoryAttribute.SkipTestWithoutData,
                details.SkipExceptions,
                details.SkipReason,
                details.SkipType,
                details.SkipUnless,
                details.SkipWhen,
                TestStores.Traits(testMethod.Traits, store),
                sourceFilePath: details.SourceFilePath,
                sourceLineNumber: details.SourceLineNumber,
                timeout: details.Timeout
            )),
        ];
        return new(cases);
    }
}
