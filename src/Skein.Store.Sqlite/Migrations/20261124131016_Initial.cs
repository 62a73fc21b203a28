using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "agent_versions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    label = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    instructions = table.Column<string>(type: "TEXT", nullable: false),
                    temperature = table.Column<double>(type: "REAL", nullable: false),
                    top_p = table.Column<double>(type: "REAL", nullable: true),
                    top_k = table.Column<int>(type: "INTEGER", nullable: true),
                    input_schema = table.Column<string>(type: "TEXT", nullable: true),
                    output_schema = table.Column<string>(type: "TEXT", nullable: true),
                    operations = table.Column<string>(type: "TEXT", nullable: false),
                    limits = table.Column<string>(type: "TEXT", nullable: false),
                    conversation = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    conversation_idle_timeout_sec = table.Column<int>(type: "INTEGER", nullable: false),
                    guard_rules = table.Column<string>(type: "TEXT", nullable: false),
                    script = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deployed_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agent_versions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "agents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    execution_mode = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    llm_provider_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agents", x => x.id);
                });

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
                name: "integrations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    base_url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_integrations", x => x.id);
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
                name: "llm_providers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    base_url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    api_key = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_llm_providers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "operations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    integration_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    method = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    path = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    arguments_schema = table.Column<string>(type: "TEXT", nullable: true),
                    require_approval = table.Column<bool>(type: "INTEGER", nullable: false),
                    idempotent = table.Column<bool>(type: "INTEGER", nullable: false),
                    timeout_sec = table.Column<int>(type: "INTEGER", nullable: false),
                    approval_timeout_sec = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_operations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    session_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_version_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    parent_run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    depth = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    total_tokens_used = table.Column<long>(type: "INTEGER", nullable: false),
                    output = table.Column<string>(type: "TEXT", nullable: true),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    input = table.Column<string>(type: "TEXT", nullable: true),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    agent_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    version_label = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    llm_model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    wake_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    completed_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    completion_note = table.Column<string>(type: "TEXT", nullable: true),
                    step_count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_runs", x => x.id);
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

            migrationBuilder.CreateTable(
                name: "session_events",
                columns: table => new
                {
                    global_sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    session_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    run_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    data = table.Column<string>(type: "TEXT", nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_events", x => x.global_sequence);
                });

            migrationBuilder.CreateTable(
                name: "sessions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_version_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    llm_model = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    trigger_type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    triggered_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    trigger_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    trigger_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    total_tokens_used = table.Column<long>(type: "INTEGER", nullable: false),
                    output = table.Column<string>(type: "TEXT", nullable: true),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    input = table.Column<string>(type: "TEXT", nullable: true),
                    start_context = table.Column<string>(type: "TEXT", nullable: false),
                    root_run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    entry_run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    run_count = table.Column<int>(type: "INTEGER", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sessions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "steps",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    run_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    session_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    event_sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    content = table.Column<string>(type: "TEXT", nullable: false),
                    tokens_used = table.Column<long>(type: "INTEGER", nullable: false),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    finished_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_steps", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "triggers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    agent_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    active = table.Column<bool>(type: "INTEGER", nullable: false),
                    last_fired_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    settings = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_triggers", x => x.id);
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

            migrationBuilder.CreateTable(
                name: "workspaces",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    max_active_session_seconds = table.Column<int>(type: "INTEGER", nullable: false),
                    agent_wait_budget_seconds = table.Column<int>(type: "INTEGER", nullable: false),
                    retention_days = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workspaces", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_agent_versions_agent_id_label",
                table: "agent_versions",
                columns: new[] { "agent_id", "label" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_agent_versions_agent_id_state",
                table: "agent_versions",
                columns: new[] { "agent_id", "state" });

            migrationBuilder.CreateIndex(
                name: "IX_agents_tenant_id_name",
                table: "agents",
                columns: new[] { "tenant_id", "name" },
                unique: true);

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
                name: "IX_audit_log_subject_type_subject_id_at",
                table: "audit_log",
                columns: new[] { "subject_type", "subject_id", "at" });

            migrationBuilder.CreateIndex(
                name: "IX_integrations_tenant_id_name",
                table: "integrations",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_library_files_tenant_id_leaf_name",
                table: "library_files",
                columns: new[] { "tenant_id", "leaf_name" });

            migrationBuilder.CreateIndex(
                name: "IX_llm_providers_tenant_id_name",
                table: "llm_providers",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_operations_tenant_id_name",
                table: "operations",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_runs_session_id",
                table: "runs",
                column: "session_id");

            migrationBuilder.CreateIndex(
                name: "IX_runs_status_wake_at",
                table: "runs",
                columns: new[] { "status", "wake_at" });

            migrationBuilder.CreateIndex(
                name: "IX_session_events_session_id_sequence",
                table: "session_events",
                columns: new[] { "session_id", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sessions_agent_id_started_at_id",
                table: "sessions",
                columns: new[] { "agent_id", "started_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_sessions_agent_id_status_started_at_id",
                table: "sessions",
                columns: new[] { "agent_id", "status", "started_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_sessions_tenant_id_started_at_id",
                table: "sessions",
                columns: new[] { "tenant_id", "started_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_sessions_tenant_id_status_started_at_id",
                table: "sessions",
                columns: new[] { "tenant_id", "status", "started_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_sessions_trigger_id_status",
                table: "sessions",
                columns: new[] { "trigger_id", "status" });

            migrationBuilder.CreateIndex(
                name: "IX_steps_run_id_sequence",
                table: "steps",
                columns: new[] { "run_id", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_steps_session_id_event_sequence",
                table: "steps",
                columns: new[] { "session_id", "event_sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_triggers_agent_id_name",
                table: "triggers",
                columns: new[] { "agent_id", "name" },
                unique: true);

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
                name: "agent_versions");

            migrationBuilder.DropTable(
                name: "agents");

            migrationBuilder.DropTable(
                name: "api_key_scopes");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "idempotency_records");

            migrationBuilder.DropTable(
                name: "integrations");

            migrationBuilder.DropTable(
                name: "library_files");

            migrationBuilder.DropTable(
                name: "llm_providers");

            migrationBuilder.DropTable(
                name: "operations");

            migrationBuilder.DropTable(
                name: "runs");

            migrationBuilder.DropTable(
                name: "server_settings");

            migrationBuilder.DropTable(
                name: "session_events");

            migrationBuilder.DropTable(
                name: "sessions");

            migrationBuilder.DropTable(
                name: "steps");

            migrationBuilder.DropTable(
                name: "triggers");

            migrationBuilder.DropTable(
                name: "user_tasks");

            migrationBuilder.DropTable(
                name: "workspaces");
        }
    }
}
