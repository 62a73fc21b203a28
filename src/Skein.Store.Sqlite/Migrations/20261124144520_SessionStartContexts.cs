using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SessionStartContexts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // SQLite drops these plain (unindexed) columns in place; EF's DropColumn would rebuild the table outside a transaction.
            migrationBuilder.CreateTable(
                name: "session_start_contexts",
                columns: table => new
                {
                    session_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    start_context = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_session_start_contexts", x => x.session_id);
                    table.ForeignKey(
                        name: "FK_session_start_contexts_sessions_session_id",
                        column: x => x.session_id,
                        principalTable: "sessions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Keep every existing session's start context: copy before the column goes.
            migrationBuilder.Sql("INSERT INTO session_start_contexts (session_id, start_context) SELECT id, start_context FROM sessions;");

            migrationBuilder.Sql("ALTER TABLE sessions DROP COLUMN start_context;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "start_context",
                table: "sessions",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.Sql("UPDATE sessions SET start_context = (SELECT c.start_context FROM session_start_contexts c WHERE c.session_id = sessions.id);");

            migrationBuilder.DropTable(
                name: "session_start_contexts");
        }
    }
}
