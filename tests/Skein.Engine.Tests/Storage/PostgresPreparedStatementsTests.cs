using Npgsql;
using Skein.Store.Postgres;

namespace Skein.Engine.Tests.Storage;

/// <summary>
/// The PostgreSQL store prepares its repeated statements (the event log's inserts and lease fences) unless the
/// operator's connection string says otherwise: without it the server parsed and planned every insert again.
/// </summary>
public class PostgresPreparedStatementsTests
{
    [Fact]
    public void A_connection_string_without_the_setting_gets_automatic_preparation()
    {
        var configured = new NpgsqlConnectionStringBuilder(
            PostgresStoreExtensions.WithPreparedStatements("Host=db;Username=skein;Password=x")
        );

        Assert.True(configured.MaxAutoPrepare > 0);
        Assert.Equal("db", configured.Host);
        Assert.Equal("x", configured.Password);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;MaxAutoPrepare=7", 7)]
    [InlineData("Host=db;max auto prepare=3", 3)]
    public void An_operator_setting_is_kept(string connectionString, int expected)
    {
        var configured = new NpgsqlConnectionStringBuilder(
            PostgresStoreExtensions.WithPreparedStatements(connectionString)
        );

        Assert.Equal(expected, configured.MaxAutoPrepare);
    }
}
