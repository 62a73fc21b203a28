using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class VersionLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ux_agent_versions_deployed",
                table: "agent_versions",
                column: "agent_id",
                unique: true,
                filter: "state = 'Deployed'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ux_agent_versions_deployed",
                table: "agent_versions");
        }
    }
}
