using System.Reflection;

namespace Skein.Server.Tests;

/// <summary>The suite's schedule: <see cref="LongestFirstFramework"/> runs it, and every
/// <see cref="RunsLongAttribute"/> sits where the framework looks for it (a mark anywhere else would be silently
/// ignored).</summary>
public sealed class RunsLongTests
{
    [Fact]
    public void The_suite_starts_its_longest_collections_first()
    {
        var framework = typeof(RunsLongTests).Assembly.GetCustomAttribute<TestFrameworkAttribute>();

        Assert.Equal(typeof(LongestFirstFramework), framework?.FrameworkType);
    }

    [Fact]
    public void Every_long_mark_is_on_a_test_class_of_its_own_collection_or_on_a_collection_definition()
    {
        var misplaced = typeof(RunsLongTests)
            .Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<RunsLongAttribute>() is not null)
            .Where(t =>
                t.GetCustomAttribute<CollectionDefinitionAttribute>() is null
                && (
                    t.GetCustomAttribute<CollectionAttribute>() is not null
                    || !t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>().Any())
                )
            )
            .Select(t => t.Name)
            .ToList();

        Assert.True(misplaced.Count == 0, "these marks are never read: " + string.Join(", ", misplaced));
    }
}
