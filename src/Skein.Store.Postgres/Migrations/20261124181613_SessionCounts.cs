using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SessionCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "session_counts",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_version_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    sessions = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_counts", x => new { x.tenant_id, x.agent_id, x.agent_version_id, x.status });
                });

            // Existing sessions are counted once here; from now on each append keeps the counts in step.
            migrationBuilder.Sql(
                "INSERT INTO session_counts (tenant_id, agent_id, agent_version_id, status, sessions) " +
                "SELECT tenant_id, agent_id, agent_version_id, status, COUNT(*) FROM sessions GROUP BY tenant_id, agent_id, agent_version_id, status;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "session_counts");
        }
    }
}
