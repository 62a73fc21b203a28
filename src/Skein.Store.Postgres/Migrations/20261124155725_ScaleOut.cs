using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ScaleOut : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_sessions_agent_id_started_at_id",
                table: "sessions");

            migrationBuilder.DropIndex(
                name: "IX_sessions_agent_id_status_started_at_id",
                table: "sessions");

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    friendly_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    xml = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_protection_keys", x => x.friendly_name);
                });

            migrationBuilder.CreateTable(
                name: "run_leases",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    session_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    lease_version = table.Column<long>(type: "bigint", nullable: false),
                    expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_leases", x => x.run_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_sessions_agent_id_status_tenant_id_started_at_id",
                table: "sessions",
                columns: new[] { "agent_id", "status", "tenant_id", "started_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_sessions_agent_id_tenant_id_started_at_id",
                table: "sessions",
                columns: new[] { "agent_id", "tenant_id", "started_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_run_leases_owner",
                table: "run_leases",
                column: "owner");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "run_leases");

            migrationBuilder.DropIndex(
                name: "IX_sessions_agent_id_status_tenant_id_started_at_id",
                table: "sessions");

            migrationBuilder.DropIndex(
                name: "IX_sessions_agent_id_tenant_id_started_at_id",
                table: "sessions");

            migrationBuilder.CreateIndex(
                name: "IX_sessions_agent_id_started_at_id",
                table: "sessions",
                columns: new[] { "agent_id", "started_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_sessions_agent_id_status_started_at_id",
                table: "sessions",
                columns: new[] { "agent_id", "status", "started_at", "id" });
        }
    }
}
