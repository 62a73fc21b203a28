using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class LeanAppends : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // SQLite drops these plain (unindexed) columns in place; EF's DropColumn would rebuild the table outside a transaction.
            migrationBuilder.Sql("ALTER TABLE sessions DROP COLUMN version;");

            migrationBuilder.Sql("ALTER TABLE runs DROP COLUMN step_count;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "version",
                table: "sessions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "step_count",
                table: "runs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }
    }
}
