using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SessionSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "forked_from_sequence",
                table: "sessions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "forked_from_session_id",
                table: "sessions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "tags",
                table: "sessions",
                type: "TEXT",
                nullable: true);

            // Full-text search over input, output and error: a contentless FTS5 index keyed by the sessions rowid,
            // kept by triggers in the same transaction as the row. A later migration that rebuilds the sessions
            // table (new rowids) must drop and refill this index and recreate its triggers.
            migrationBuilder.Sql(
                "CREATE VIRTUAL TABLE sessions_fts USING fts5(input, output, error, content='', "
                    + "contentless_delete=1, detail=none);"
            );
            migrationBuilder.Sql(
                "INSERT INTO sessions_fts(rowid, input, output, error) SELECT rowid, input, output, error FROM sessions;"
            );
            migrationBuilder.Sql(
                """
                CREATE TRIGGER sessions_fts_insert AFTER INSERT ON sessions BEGIN
                  INSERT INTO sessions_fts(rowid, input, output, error) VALUES (new.rowid, new.input, new.output, new.error);
                END;
                """
            );
            migrationBuilder.Sql(
                """
                CREATE TRIGGER sessions_fts_update AFTER UPDATE OF input, output, error ON sessions BEGIN
                  DELETE FROM sessions_fts WHERE rowid = old.rowid;
                  INSERT INTO sessions_fts(rowid, input, output, error) VALUES (new.rowid, new.input, new.output, new.error);
                END;
                """
            );
            migrationBuilder.Sql(
                """
                CREATE TRIGGER sessions_fts_delete AFTER DELETE ON sessions BEGIN
                  DELETE FROM sessions_fts WHERE rowid = old.rowid;
                END;
                """
            );
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS sessions_fts_insert;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS sessions_fts_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS sessions_fts_delete;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS sessions_fts;");

            migrationBuilder.DropColumn(
                name: "forked_from_sequence",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "forked_from_session_id",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "tags",
                table: "sessions");
        }
    }
}
