using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SecretOwners : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "owner_id",
                table: "secrets",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "owner_kind",
                table: "secrets",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            // Bind each existing secret that exactly one integration or provider names to it, so an integration
            // added after the upgrade cannot claim a credential already in use.
            migrationBuilder.Sql(
                """
                UPDATE secrets SET owner_kind = 'integration', owner_id = (
                    SELECT i.id FROM integrations i
                    WHERE i.tenant_id = secrets.tenant_id AND i.auth_secret_name = secrets.name AND i.auth_type <> 'none')
                WHERE owner_id IS NULL
                  AND (SELECT count(*) FROM integrations i
                       WHERE i.tenant_id = secrets.tenant_id AND i.auth_secret_name = secrets.name
                         AND i.auth_type <> 'none') = 1
                  AND (SELECT count(*) FROM llm_providers p
                       WHERE p.tenant_id = secrets.tenant_id AND p.api_key_secret_name = secrets.name) = 0;
                """
            );
            migrationBuilder.Sql(
                """
                UPDATE secrets SET owner_kind = 'llm_provider', owner_id = (
                    SELECT p.id FROM llm_providers p
                    WHERE p.tenant_id = secrets.tenant_id AND p.api_key_secret_name = secrets.name)
                WHERE owner_id IS NULL
                  AND (SELECT count(*) FROM llm_providers p
                       WHERE p.tenant_id = secrets.tenant_id AND p.api_key_secret_name = secrets.name) = 1
                  AND (SELECT count(*) FROM integrations i
                       WHERE i.tenant_id = secrets.tenant_id AND i.auth_secret_name = secrets.name
                         AND i.auth_type <> 'none') = 0;
                """
            );
            migrationBuilder.Sql(
                """
                UPDATE secrets SET owner_kind = 'trigger', owner_id = CAST(substr(name, 9, 36) AS uuid)
                WHERE owner_id IS NULL AND name ~ '^trigger-[0-9a-f-]{36}-signing$';
                """
            );
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "owner_id",
                table: "secrets");

            migrationBuilder.DropColumn(
                name: "owner_kind",
                table: "secrets");
        }
    }
}
