namespace Skein.Server.Tests.Application;

// The service tests on PostgreSQL: each variant inherits every test of its SQLite class and only swaps the store.

public sealed class AgentServiceTestsOnPostgres(PostgresApiFactory factory)
    : AgentServiceTests(factory),
        IClassFixture<PostgresApiFactory>;

public sealed class ConfigurationServiceTestsOnPostgres(PostgresApiFactory factory)
    : ConfigurationServiceTests(factory),
        IClassFixture<PostgresApiFactory>;

public sealed class ManifestApplyServiceTestsOnPostgres(PostgresApiFactory factory)
    : ManifestApplyServiceTests(factory),
        IClassFixture<PostgresApiFactory>;
