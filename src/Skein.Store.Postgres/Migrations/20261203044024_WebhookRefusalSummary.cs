using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Skein.Store.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class WebhookRefusalSummary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "trigger_refusals",
                columns: table => new
                {
                    trigger_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    refused = table.Column<long>(type: "bigint", nullable: false),
                    last_refused_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_reason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_trigger_refusals", x => x.trigger_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_trigger_ingress_tenant_id_received_at",
                table: "trigger_ingress",
                columns: new[] { "tenant_id", "received_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "trigger_refusals");

            migrationBuilder.DropIndex(
                name: "IX_trigger_ingress_tenant_id_received_at",
                table: "trigger_ingress");
        }
    }
}
