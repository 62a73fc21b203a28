using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Skein.Server.Tests.Conventions;

/// <summary>
/// Log event ids identify one message each across the whole product: every component's <c>Log</c> class owns a block
/// of ten ids (3201–3209, …) that no other component uses. This test reads every <c>[LoggerMessage]</c> of every
/// Skein assembly, so a new component that reuses an id or another component's block fails here.
/// </summary>
public sealed class LogEventIdTests
{
    private sealed record Message(string Component, string Method, int EventId);

    private static IReadOnlyList<Message> Messages()
    {
        var directory = AppContext.BaseDirectory;
        var assemblies = Directory
            .GetFiles(directory, "Skein.*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(n => !n.EndsWith(".Tests", StringComparison.Ordinal) && n != "Skein.Testing")
            .Select(n => Assembly.Load(new AssemblyName(n)));
        var messages = new List<Message>();
        foreach (var assembly in assemblies)
        {
            foreach (var type in Types(assembly))
            {
                var flags =
                    BindingFlags.Public
                    | BindingFlags.NonPublic
                    | BindingFlags.Static
                    | BindingFlags.Instance
                    | BindingFlags.DeclaredOnly;
                foreach (var method in type.GetMethods(flags))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } attribute)
                    {
                        messages.Add(new Message(Outermost(type).FullName!, method.Name, attribute.EventId));
                    }
                }
            }
        }

        return messages;
    }

    private static IEnumerable<Type> Types(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    [Fact]
    public void The_product_has_log_messages_to_check()
    {
        var components = Messages().Select(m => m.Component).ToHashSet();
        Assert.Contains("Skein.Engine.Runs.RunDispatcher", components);
        Assert.Contains("Skein.Store.EventLog.EventLogWriter", components);
    }

    [Fact]
    public void No_two_log_messages_share_an_event_id()
    {
        var shared = Messages()
            .GroupBy(m => m.EventId)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => $"{m.Component}.{m.Method}"))}")
            .ToList();
        Assert.True(shared.Count == 0, "event ids used twice:\n" + string.Join("\n", shared));
    }

    [Fact]
    public void Each_component_keeps_to_blocks_of_ten_ids_of_its_own()
    {
        var blocks = Messages().GroupBy(m => m.EventId / 10).ToList();
        var shared = blocks
            .Where(b => b.Select(m => m.Component).Distinct().Count() > 1)
            .Select(b =>
                $"{b.Key * 10}–{(b.Key * 10) + 9}: " + string.Join(", ", b.Select(m => m.Component).Distinct())
            )
            .ToList();
        Assert.True(shared.Count == 0, "blocks of ids used by two components:\n" + string.Join("\n", shared));
        Assert.All(blocks, b => Assert.NotEqual(0, b.Key));
    }
}
