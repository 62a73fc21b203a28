using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Postgres.Migrations
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
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "forked_from_session_id",
                table: "sessions",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "tags",
                table: "sessions",
                type: "text",
                nullable: true);

            // Full-text search over input, output and error: session_search holds each session's tsvector (a table of
            // its own, so the sessions rows that lists scan stay small) with a GIN index, written by triggers on
            // sessions in the same transaction, and only when one of those columns changes, not on status updates.
            // Each field is cut to 100,000 characters so a huge output can never exceed the tsvector size limit.
            migrationBuilder.Sql(
                "CREATE TABLE session_search (session_id uuid PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE, "
                    + "search_text tsvector NOT NULL);"
            );
            migrationBuilder.Sql(
                """
                CREATE FUNCTION sessions_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO session_search (session_id, search_text)
                  VALUES (NEW.id, to_tsvector('simple',
                    left(coalesce(NEW.input, ''), 100000) || ' ' || left(coalesce(NEW.output, ''), 100000)
                    || ' ' || left(coalesce(NEW.error, ''), 100000)))
                  ON CONFLICT (session_id) DO UPDATE SET search_text = EXCLUDED.search_text;
                  RETURN NULL;
                END $$;
                """
            );
            migrationBuilder.Sql(
                "CREATE TRIGGER sessions_search_text AFTER INSERT OR UPDATE OF input, output, error ON sessions "
                    + "FOR EACH ROW EXECUTE FUNCTION sessions_search_text();"
            );
            migrationBuilder.Sql(
                "INSERT INTO session_search (session_id, search_text) SELECT id, to_tsvector('simple', "
                    + "left(coalesce(input, ''), 100000) || ' ' || left(coalesce(output, ''), 100000) || ' ' "
                    + "|| left(coalesce(error, ''), 100000)) FROM sessions;"
            );
            migrationBuilder.Sql("CREATE INDEX ix_session_search_text ON session_search USING gin (search_text);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS sessions_search_text ON sessions;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS sessions_search_text();");
            migrationBuilder.Sql("DROP TABLE IF EXISTS session_search;");

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
