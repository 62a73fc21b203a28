using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class CompactEventLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_steps",
                table: "steps");

            migrationBuilder.DropIndex(
                name: "IX_steps_run_id_sequence",
                table: "steps");

            migrationBuilder.DropIndex(
                name: "IX_steps_session_id_event_sequence",
                table: "steps");

            migrationBuilder.DropColumn(
                name: "run_id",
                table: "session_events");

            migrationBuilder.AddPrimaryKey(
                name: "PK_steps",
                table: "steps",
                columns: new[] { "session_id", "event_sequence" });

            // A step's content is stored as its payload alone: the envelope of ids (always written last, in this
            // order) repeats the row's columns and is added back when the step is read.
            migrationBuilder.Sql(
                "UPDATE steps SET content = regexp_replace(content, ',\"session_id\":\"[^\"]*\",\"run_id\":\"[^\"]*\","
                    + "\"tenant_id\":\"[^\"]*\",\"agent_id\":\"[^\"]*\",\"agent_version_id\":\"[^\"]*\","
                    + "\"event_id\":\"[^\"]*\",\"sequence\":[0-9]+}$', '}');"
            );
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                "UPDATE steps SET content = left(content, length(content) - 1) || ',\"session_id\":\"' || session_id "
                    + "|| '\",\"run_id\":\"' || run_id || '\",\"tenant_id\":\"' || tenant_id || '\",\"agent_id\":\"' "
                    + "|| (SELECT agent_id FROM runs WHERE runs.id = steps.run_id) || '\",\"agent_version_id\":\"' "
                    + "|| (SELECT agent_version_id FROM runs WHERE runs.id = steps.run_id) || '\",\"event_id\":\"' || id "
                    + "|| '\",\"sequence\":' || sequence || '}';"
            );

            migrationBuilder.DropPrimaryKey(
                name: "PK_steps",
                table: "steps");

            migrationBuilder.AddColumn<Guid>(
                name: "run_id",
                table: "session_events",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_steps",
                table: "steps",
                column: "id");

            migrationBuilder.CreateIndex(
                name: "IX_steps_run_id_sequence",
                table: "steps",
                columns: new[] { "run_id", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_steps_session_id_event_sequence",
                table: "steps",
                columns: new[] { "session_id", "event_sequence" });
        }
    }
}
