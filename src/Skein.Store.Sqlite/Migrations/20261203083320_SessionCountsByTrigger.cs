using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SessionCountsByTrigger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_session_counts",
                table: "session_counts");

            migrationBuilder.AddColumn<Guid>(
                name: "trigger_id",
                table: "session_counts",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddPrimaryKey(
                name: "PK_session_counts",
                table: "session_counts",
                columns: new[] { "tenant_id", "agent_id", "agent_version_id", "trigger_id", "status" });

            // The counts gain the trigger that started the sessions (an API key's list sums only its triggers' rows):
            // counted again from the sessions, once; from now on each append keeps them in step.
            migrationBuilder.Sql(
                "DELETE FROM session_counts; " +
                "INSERT INTO session_counts (tenant_id, agent_id, agent_version_id, trigger_id, status, sessions) " +
                "SELECT tenant_id, agent_id, agent_version_id, COALESCE(trigger_id, '00000000-0000-0000-0000-000000000000'), status, COUNT(*) " +
                "FROM sessions GROUP BY tenant_id, agent_id, agent_version_id, COALESCE(trigger_id, '00000000-0000-0000-0000-000000000000'), status;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Rows of one version and status would collide once the trigger is gone: emptied, then counted again.
            migrationBuilder.Sql("DELETE FROM session_counts;");

            migrationBuilder.DropPrimaryKey(
                name: "PK_session_counts",
                table: "session_counts");

            migrationBuilder.DropColumn(
                name: "trigger_id",
                table: "session_counts");

            migrationBuilder.AddPrimaryKey(
                name: "PK_session_counts",
                table: "session_counts",
                columns: new[] { "tenant_id", "agent_id", "agent_version_id", "status" });

            migrationBuilder.Sql(
                "INSERT INTO session_counts (tenant_id, agent_id, agent_version_id, status, sessions) " +
                "SELECT tenant_id, agent_id, agent_version_id, status, COUNT(*) FROM sessions " +
                "GROUP BY tenant_id, agent_id, agent_version_id, status;");
        }
    }
}
