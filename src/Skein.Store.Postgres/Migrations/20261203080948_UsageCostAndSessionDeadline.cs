using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class UsageCostAndSessionDeadline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "max_tool_calls_per_run",
                table: "workspaces",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "deadline_at",
                table: "sessions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "total_cost_usd",
                table: "sessions",
                type: "numeric",
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "total_cost_usd",
                table: "runs",
                type: "numeric",
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<string>(
                name: "prices",
                table: "llm_providers",
                type: "text",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.CreateIndex(
                name: "IX_sessions_deadline_at",
                table: "sessions",
                column: "deadline_at");

            migrationBuilder.CreateIndex(
                name: "IX_runs_agent_id_started_at",
                table: "runs",
                columns: new[] { "agent_id", "started_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_sessions_deadline_at",
                table: "sessions");

            migrationBuilder.DropIndex(
                name: "IX_runs_agent_id_started_at",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "max_tool_calls_per_run",
                table: "workspaces");

            migrationBuilder.DropColumn(
                name: "deadline_at",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "total_cost_usd",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "total_cost_usd",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "prices",
                table: "llm_providers");
        }
    }
}
