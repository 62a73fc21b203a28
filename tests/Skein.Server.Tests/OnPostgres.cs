namespace Skein.Server.Tests;

// The same API tests on PostgreSQL: each variant inherits every test of its SQLite class and only swaps the
// store (a database of its own per class on the server scripts/test starts).

public sealed class V1RunTestsOnPostgres(PostgresApiFactory factory)
    : Api.V1RunTests(factory),
        IClassFixture<PostgresApiFactory>;

public sealed class V1StreamFanOutTestsOnPostgres(PostgresApiFactory factory)
    : Api.V1StreamFanOutTests(factory),
        IClassFixture<PostgresApiFactory>;

public sealed class V1FuzzTestsOnPostgres(PostgresApiFactory factory)
    : Api.V1FuzzTests(factory),
        IClassFixture<PostgresApiFactory>;

public sealed class V1AdmissionTestsOnPostgres(PostgresApiFactory factory)
    : Api.V1AdmissionTests(factory),
        IClassFixture<PostgresApiFactory>;

public sealed class FileLibraryTestsOnPostgres(PostgresApiFactory factory)
    : Api.FileLibraryTests(factory),
        IClassFixture<PostgresApiFactory>;

public sealed class AdminApiTestsOnPostgres(PostgresApiFactory factory)
    : Api.AdminApiTests(factory),
        IClassFixture<PostgresApiFactory>;

public sealed class V1StreamTestsOnPostgres(PostgresApiFactory factory)
    : Api.V1StreamTests(factory),
        IClassFixture<PostgresApiFactory>;

public sealed class GuardRuleSaveTestsOnPostgres(PostgresApiFactory factory)
    : Scenarios.GuardRuleSaveTests(factory),
        IClassFixture<PostgresApiFactory>;

public sealed class AuditTestsOnPostgres(PostgresApiFactory factory)
    : Scenarios.AuditTests(factory),
        IClassFixture<PostgresApiFactory>;
