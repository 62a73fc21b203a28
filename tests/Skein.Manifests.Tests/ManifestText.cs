using Skein.Manifests.Parsing;
using Skein.Manifests.Planning;

namespace Skein.Manifests.Tests;

/// <summary>Small manifests for the tests, the shipped samples, and a way to turn a plan into the state it would
/// leave.</summary>
internal static class ManifestText
{
    public const string Minimal = """
        kind: phrony.manifest
        version: 1
        llmProviders:
          - name: scripted
            type: scripted
        agents:
          - manifestKey: a
            name: helper
            executionMode: request
            llmProviderName: scripted
        versions:
          - agentManifestKey: a
            status: deployed
            versionLabel: v1
            llmModel: skein-scripted
            temperature: 0.5
        triggers:
          - agentManifestKey: a
            name: api
            type: api
        """;

    public static string Sample(string name) => File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", name));

    public static async Task<ManifestParseResult> ParseAsync(string yaml, string? values = null)
    {
        return await ManifestParser.ParseAsync(yaml, values, TestContext.Current.CancellationToken);
    }

    /// <summary>The workspace after applying <paramref name="plan"/> to <paramref name="before"/> (what the store does,
    /// without one).</summary>
    public static WorkspaceState After(WorkspaceState before, ManifestPlan plan, DateTime now)
    {
        static IReadOnlyList<Existing<T>> Merge<T>(
            IReadOnlyList<Existing<T>> existing,
            IReadOnlyList<Planned<T>> planned
        ) =>
            [
                .. existing.Where(e => planned.All(p => p.ExistingId != e.Id)),
                .. planned.Select(p => new Existing<T>(p.ExistingId ?? Guid.NewGuid(), p.Spec)),
            ];

        var versions = before.Versions.Where(v => plan.Versions.All(p => p.ExistingId != v.Id)).ToList();
        foreach (var p in plan.Versions)
        {
            var old = before.Versions.FirstOrDefault(v => v.Id == p.ExistingId);
            if (p.Deploy)
            {
                versions =
                [
                    .. versions.Select(v =>
                        v.Spec.AgentName == p.Spec.AgentName && v.State == "Deployed"
                            ? v with
                            {
                                State = "Archived",
                            }
                            : v
                    ),
                ];
            }

            versions.Add(
                new ExistingVersion(
                    p.ExistingId ?? Guid.NewGuid(),
                    p.Spec,
                    p.Deploy ? "Deployed" : old?.State ?? "Testing",
                    old?.CreatedAt ?? now,
                    p.Deploy ? now : old?.DeployedAt
                )
            );
        }

        return new WorkspaceState
        {
            Providers = Merge(before.Providers, plan.Providers),
            Services = Merge(before.Services, plan.Services),
            Operations = Merge(before.Operations, plan.Operations),
            Agents = Merge(before.Agents, plan.Agents),
            Versions = versions,
            Triggers = Merge(before.Triggers, plan.Triggers),
        };
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Skein.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            "the repository root (Skein.slnx) was not found above " + AppContext.BaseDirectory
        );
    }
}
