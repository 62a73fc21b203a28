using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class GuardRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "guard_rules",
                table: "agent_versions",
                type: "TEXT",
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "guard_rules",
                table: "agent_versions");
        }
    }
}
