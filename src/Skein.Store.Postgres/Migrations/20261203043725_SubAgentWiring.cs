using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SubAgentWiring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "max_sub_agent_depth",
                table: "workspaces",
                type: "integer",
                nullable: false,
                defaultValue: 5);

            migrationBuilder.AddColumn<string>(
                name: "allowed_sub_agents",
                table: "agent_versions",
                type: "text",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<bool>(
                name: "can_execute_sub_agents",
                table: "agent_versions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "sub_agent_execution_model",
                table: "agent_versions",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Sequential");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "max_sub_agent_depth",
                table: "workspaces");

            migrationBuilder.DropColumn(
                name: "allowed_sub_agents",
                table: "agent_versions");

            migrationBuilder.DropColumn(
                name: "can_execute_sub_agents",
                table: "agent_versions");

            migrationBuilder.DropColumn(
                name: "sub_agent_execution_model",
                table: "agent_versions");
        }
    }
}
