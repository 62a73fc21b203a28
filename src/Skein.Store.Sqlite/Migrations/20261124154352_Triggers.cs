using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Triggers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "api_key",
                table: "llm_providers",
                newName: "legacy_api_key");

            migrationBuilder.AddColumn<DateTime>(
                name: "next_fire_at",
                table: "triggers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "api_key_secret_name",
                table: "llm_providers",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "models",
                table: "llm_providers",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "auth_header_name",
                table: "integrations",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "auth_secret_name",
                table: "integrations",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "auth_type",
                table: "integrations",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "secrets",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    protected_value = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_secrets", x => new { x.tenant_id, x.name });
                });

            migrationBuilder.CreateTable(
                name: "trigger_deliveries",
                columns: table => new
                {
                    trigger_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    delivery_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    session_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trigger_deliveries", x => new { x.trigger_id, x.delivery_id });
                });

            migrationBuilder.CreateTable(
                name: "trigger_ingress",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    trigger_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    received_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    delivery_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    session_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    redacted_payload = table.Column<string>(type: "TEXT", nullable: true),
                    retry_input = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trigger_ingress", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_triggers_type_active_next_fire_at",
                table: "triggers",
                columns: new[] { "type", "active", "next_fire_at" });

            migrationBuilder.CreateIndex(
                name: "IX_trigger_ingress_trigger_id_received_at",
                table: "trigger_ingress",
                columns: new[] { "trigger_id", "received_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "secrets");

            migrationBuilder.DropTable(
                name: "trigger_deliveries");

            migrationBuilder.DropTable(
                name: "trigger_ingress");

            migrationBuilder.DropIndex(
                name: "IX_triggers_type_active_next_fire_at",
                table: "triggers");

            migrationBuilder.DropColumn(
                name: "next_fire_at",
                table: "triggers");

            migrationBuilder.DropColumn(
                name: "api_key_secret_name",
                table: "llm_providers");

            migrationBuilder.DropColumn(
                name: "models",
                table: "llm_providers");

            migrationBuilder.DropColumn(
                name: "auth_header_name",
                table: "integrations");

            migrationBuilder.DropColumn(
                name: "auth_secret_name",
                table: "integrations");

            migrationBuilder.DropColumn(
                name: "auth_type",
                table: "integrations");

            migrationBuilder.RenameColumn(
                name: "legacy_api_key",
                table: "llm_providers",
                newName: "api_key");
        }
    }
}
