using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Postgres.Migrations
{
    /// <summary>
    /// Sessions and runs rows are inserted and then rewritten a few times within seconds (tokens, status, output).
    /// Space left free on each page lets an update that changes no indexed column (tokens, output) stay on its page
    /// as a HOT update, so it writes no new entry in any of the tables' indexes. Applies to pages written from now on.
    /// </summary>
    public partial class SessionsRunsFillFactor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE sessions SET (fillfactor = 70);");
            migrationBuilder.Sql("ALTER TABLE runs SET (fillfactor = 70);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE sessions RESET (fillfactor);");
            migrationBuilder.Sql("ALTER TABLE runs RESET (fillfactor);");
        }
    }
}
