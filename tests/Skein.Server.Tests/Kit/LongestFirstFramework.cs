using System.Reflection;
using Skein.Server.Tests;
using Xunit.Sdk;
using Xunit.v3;

[assembly: TestFramework(typeof(LongestFirstFramework))]

namespace Skein.Server.Tests;

/// <summary>
/// xunit as it is, except that test collections start longest first. xunit runs as many collections at once as
/// there are cores, each collection's tests one after the other, in an order that changes from run to run (and, as
/// every collection is queued on the thread pool at once, not even the order its orderer returns): a long class that
/// happened to start last ran alone for minutes at the end while the other core idled. Longest first (the classic
/// schedule for parallel machines) leaves only short collections for the end. Collections without
/// <see cref="RunsLongAttribute"/> follow in xunit's default order; those that disable parallelization still run
/// alone, after all the others.
/// </summary>
public sealed class LongestFirstFramework : XunitTestFramework
{
    private readonly string? _configFileName;

    public LongestFirstFramework() { }

    public LongestFirstFramework(string? configFileName)
        : base(configFileName) => _configFileName = configFileName;

    protected override ITestFrameworkExecutor CreateExecutor(Assembly assembly) =>
        new Executor(new XunitTestAssembly(assembly, _configFileName, assembly.GetName().Version));

    private sealed class Executor(IXunitTestAssembly testAssembly) : XunitTestFrameworkExecutor(testAssembly)
    {
        public override async ValueTask RunTestCases(
            IReadOnlyCollection<IXunitTestCase> testCases,
            IMessageSink executionMessageSink,
            ITestFrameworkExecutionOptions executionOptions,
            CancellationToken cancellationToken
        ) =>
            await Runner.Instance.Run(
                TestAssembly,
                testCases,
                executionMessageSink,
                executionOptions,
                cancellationToken
            );
    }

    private sealed class Runner : XunitTestAssemblyRunner
    {
        public static new Runner Instance { get; } = new();

        private static readonly Lazy<Dictionary<string, RunsLongAttribute>> Marks = new(() =>
        {
            var marks = new Dictionary<string, RunsLongAttribute>(StringComparer.Ordinal);
            foreach (var type in typeof(RunsLongAttribute).Assembly.GetTypes())
            {
                if (type.GetCustomAttribute<RunsLongAttribute>() is { } runsLong)
                {
                    // A collection definition is named by its attribute; a class of its own collection by xunit.
                    var name = type.GetCustomAttribute<CollectionDefinitionAttribute>()?.Name
                        ?? CollectionAttribute.GetCollectionNameForType(type);
                    marks[name] = runsLong;
                }
            }

            return marks;
        });

        private static RunsLongAttribute? MarkOf(IXunitTestCollection collection) =>
            Marks.Value.GetValueOrDefault(collection.TestCollectionDisplayName);

        protected override List<(IXunitTestCollection Collection, List<IXunitTestCase> TestCases)> OrderTestCollections(
            XunitTestAssemblyRunnerContext ctxt
        ) => [.. base.OrderTestCollections(ctxt).OrderByDescending(c => MarkOf(c.Collection)?.Seconds ?? 0)];

        /// <summary>Starts the parallel collections one by one in order as slots free up (xunit's
        /// maxParallelThreads, <c>2x</c> the cores in xunit.runner.json; a collection takes one slot, or
        /// <see cref="RunsLongAttribute.Slots"/>), then the non-parallel ones alone.</summary>
        protected override async ValueTask<RunSummary> RunTestCollections(
            XunitTestAssemblyRunnerContext ctxt,
            Exception? exception
        )
        {
            if (
                ctxt.DisableParallelization
                || exception is not null
                || ctxt.MaxParallelThreads < 1
                || ctxt.ParallelAlgorithm != ParallelAlgorithm.Conservative
            )
            {
                return await base.RunTestCollections(ctxt, exception);
            }

            ThreadPool.GetMinThreads(out var minThreads, out var minPorts);
            if (minThreads < Math.Min(4, ctxt.MaxParallelThreads))
            {
                ThreadPool.SetMinThreads(Math.Min(4, ctxt.MaxParallelThreads), minPorts);
            }

            using var slots = new SemaphoreSlim(ctxt.MaxParallelThreads);
            var ordered = OrderTestCollections(ctxt);
            var running = new List<Task<RunSummary>>();
            foreach (var (collection, testCases) in ordered.Where(c => !c.Collection.DisableParallelization))
            {
                var taken = 0;
                var wanted = Math.Clamp(MarkOf(collection)?.Slots ?? 1, 1, ctxt.MaxParallelThreads);
                try
                {
                    for (; taken < wanted; taken++)
                    {
                        await slots.WaitAsync(ctxt.CancellationTokenSource.Token);
                    }
                }
                catch (OperationCanceledException)
                {
                    if (taken > 0)
                    {
                        slots.Release(taken);
                    }

                    break;
                }

                running.Add(
                    Task.Run(async () =>
                    {
                        try
                        {
                            return await RunTestCollection(ctxt, collection, testCases);
                        }
                        finally
                        {
                            slots.Release(wanted);
                        }
                    })
                );
            }

            var summaries = (await Task.WhenAll(running)).ToList();
            foreach (var (collection, testCases) in ordered.Where(c => c.Collection.DisableParallelization))
            {
                if (ctxt.CancellationTokenSource.IsCancellationRequested)
                {
                    break;
                }

                summaries.Add(await RunTestCollection(ctxt, collection, testCases));
            }

            return new RunSummary
            {
                Total = summaries.Sum(s => s.Total),
                Failed = summaries.Sum(s => s.Failed),
                NotRun = summaries.Sum(s => s.NotRun),
                Skipped = summaries.Sum(s => s.Skipped),
            };
        }
    }
}
