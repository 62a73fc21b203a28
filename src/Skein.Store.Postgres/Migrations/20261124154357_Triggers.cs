using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Postgres.Migrations
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
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "api_key_secret_name",
                table: "llm_providers",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "models",
                table: "llm_providers",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "auth_header_name",
                table: "integrations",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "auth_secret_name",
                table: "integrations",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "auth_type",
                table: "integrations",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "secrets",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    protected_value = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_secrets", x => new { x.tenant_id, x.name });
                });

            migrationBuilder.CreateTable(
                name: "trigger_deliveries",
                columns: table => new
                {
                    trigger_id = table.Column<Guid>(type: "uuid", nullable: false),
                    delivery_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    session_id = table.Column<Guid>(type: "uuid", nullable: true),
                    run_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trigger_deliveries", x => new { x.trigger_id, x.delivery_id });
                });

            migrationBuilder.CreateTable(
                name: "trigger_ingress",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    trigger_id = table.Column<Guid>(type: "uuid", nullable: false),
                    received_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    delivery_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    error = table.Column<string>(type: "text", nullable: true),
                    session_id = table.Column<Guid>(type: "uuid", nullable: true),
                    run_id = table.Column<Guid>(type: "uuid", nullable: true),
                    redacted_payload = table.Column<string>(type: "text", nullable: true),
                    retry_input = table.Column<string>(type: "text", nullable: true)
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
