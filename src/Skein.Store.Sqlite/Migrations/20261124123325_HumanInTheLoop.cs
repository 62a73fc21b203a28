using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class HumanInTheLoop : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "approval_timeout_sec",
                table: "operations",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    subject_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    subject_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    detail = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "user_tasks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    session_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    summary = table.Column<string>(type: "TEXT", nullable: false),
                    context = table.Column<string>(type: "TEXT", nullable: false),
                    tool_call_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    timeout_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    outcome = table.Column<string>(type: "TEXT", nullable: true),
                    answered_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    answered_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    cancel_reason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_user_tasks", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_subject_type_subject_id_at",
                table: "audit_log",
                columns: new[] { "subject_type", "subject_id", "at" });

            migrationBuilder.CreateIndex(
                name: "IX_user_tasks_session_id",
                table: "user_tasks",
                column: "session_id");

            migrationBuilder.CreateIndex(
                name: "IX_user_tasks_status_timeout_at",
                table: "user_tasks",
                columns: new[] { "status", "timeout_at" });

            migrationBuilder.CreateIndex(
                name: "IX_user_tasks_tenant_id_status_created_at",
                table: "user_tasks",
                columns: new[] { "tenant_id", "status", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "user_tasks");

            migrationBuilder.DropColumn(
                name: "approval_timeout_sec",
                table: "operations");
        }
    }
}
