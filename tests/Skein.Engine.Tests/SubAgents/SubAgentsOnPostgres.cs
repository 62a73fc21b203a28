using Skein.Testing.Stores;

namespace Skein.Engine.Tests.SubAgents;

// The run-tree tests on PostgreSQL: each variant inherits every test of its SQLite class and only swaps the store.

public sealed class SubAgentDispatchTestsOnPostgres : SubAgentDispatchTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class SubAgentBoundsTestsOnPostgres : SubAgentBoundsTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class SubAgentParallelTestsOnPostgres : SubAgentParallelTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class AitlTestsOnPostgres : AitlTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class TreeOperatorTestsOnPostgres : TreeOperatorTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}
