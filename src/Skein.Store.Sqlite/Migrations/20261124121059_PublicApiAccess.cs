using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PublicApiAccess : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_key_scopes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    api_key_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    trigger_id = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_key_scopes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    hash = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    allow_file_uploads = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    revoked_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_records",
                columns: table => new
                {
                    api_key_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    response = table.Column<string>(type: "TEXT", nullable: true),
                    status_code = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_idempotency_records", x => new { x.api_key_id, x.key });
                });

            migrationBuilder.CreateTable(
                name: "library_files",
                columns: table => new
                {
                    object_key = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    api_key_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    leaf_name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    filename = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    media_type = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    max_content_length = table.Column<long>(type: "INTEGER", nullable: false),
                    size_bytes = table.Column<long>(type: "INTEGER", nullable: true),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    finalized_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_library_files", x => x.object_key);
                });

            migrationBuilder.CreateTable(
                name: "server_settings",
                columns: table => new
                {
                    key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_server_settings", x => x.key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_sessions_trigger_id_status",
                table: "sessions",
                columns: new[] { "trigger_id", "status" });

            migrationBuilder.CreateIndex(
                name: "IX_api_key_scopes_api_key_id_agent_id_trigger_id",
                table: "api_key_scopes",
                columns: new[] { "api_key_id", "agent_id", "trigger_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_hash",
                table: "api_keys",
                column: "hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_library_files_tenant_id_leaf_name",
                table: "library_files",
                columns: new[] { "tenant_id", "leaf_name" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_key_scopes");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "idempotency_records");

            migrationBuilder.DropTable(
                name: "library_files");

            migrationBuilder.DropTable(
                name: "server_settings");

            migrationBuilder.DropIndex(
                name: "IX_sessions_trigger_id_status",
                table: "sessions");
        }
    }
}
