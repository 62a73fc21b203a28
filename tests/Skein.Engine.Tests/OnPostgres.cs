using Skein.Testing.Stores;

namespace Skein.Engine.Tests;

// The same engine tests on PostgreSQL: each variant inherits every test of its SQLite class and only swaps
// the store (a database of its own per test on the server scripts/test starts).

public sealed class AskUserTestsOnPostgres : UserTasks.AskUserTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class ApprovalTestsOnPostgres : UserTasks.ApprovalTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class ToolCallTestsOnPostgres : Runs.ToolCallTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class LimitTestsOnPostgres : Runs.LimitTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class StartValidationTestsOnPostgres : Runs.StartValidationTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class RecoveryTestsOnPostgres : Runs.RecoveryTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class WaitTestsOnPostgres : Runs.WaitTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class RunStartTestsOnPostgres : Runs.RunStartTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class RunLifecycleTestsOnPostgres : Runs.RunLifecycleTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class OperatorActionTestsOnPostgres : Sessions.OperatorActionTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class ConversationTestsOnPostgres : Sessions.ConversationTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class GuardInRunTestsOnPostgres : Guards.GuardInRunTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class SessionCountTestsOnPostgres : Sessions.SessionCountTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}

public sealed class RetentionTestsOnPostgres : Sessions.RetentionTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}
