using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Skein.Server.Tests.Integrations;

public sealed class IntegrationAdminTests(ApiServers servers) : ApiTests(servers)
{
    private static string Name(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..8];

    private async Task<Guid> CreateIntegrationAsync()
    {
        var response = await Admin.PostAsJsonAsync(
            "/api/integrations",
            new
            {
                name = Name("crm"),
                baseUrl = "http://127.0.0.1:9",
                authType = "header",
                authHeaderName = "X-Api-Key",
                authSecretName = "crm-key",
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
    }

    private Task<HttpResponseMessage> PostJsonAsync(string url, string json) =>
        Admin.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    [StoreFact]
    public async Task An_integration_and_its_operations_are_created_listed_edited_and_deleted()
    {
        var id = await CreateIntegrationAsync();
        var opName = Name("lookup");
        var created = await Admin.PostAsJsonAsync(
            $"/api/integrations/{id}/operations",
            new
            {
                name = opName,
                method = "get",
                path = "/orders/{orderId}",
                idempotent = true,
                timeoutSec = 5,
                argumentsSchema = new
                {
                    type = "object",
                    properties = new { orderId = new { type = "string" } },
                    required = new[] { "orderId" },
                },
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var operation = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("GET", operation.GetProperty("method").GetString());
        Assert.Equal("object", operation.GetProperty("argumentsSchema").GetProperty("type").GetString());

        var edited = await Admin.PutAsJsonAsync(
            $"/api/integrations/{id}/operations/{operation.GetProperty("id").GetGuid()}",
            new { requireApproval = true },
            Ct
        );
        edited.EnsureSuccessStatusCode();
        Assert.True(
            (await edited.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("requireApproval").GetBoolean()
        );

        var view = await Admin.GetFromJsonAsync<JsonElement>($"/api/integrations/{id}", Ct);
        Assert.Equal("header", view.GetProperty("authType").GetString());
        Assert.Equal("crm-key", view.GetProperty("authSecretName").GetString());
        var listed = Assert.Single(view.GetProperty("operations").EnumerateArray());
        Assert.True(listed.GetProperty("idempotent").GetBoolean());

        var none = await Admin.PutAsJsonAsync($"/api/integrations/{id}", new { authType = "none" }, Ct);
        Assert.Equal(
            JsonValueKind.Null,
            (await none.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("authSecretName").ValueKind
        );

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"/api/integrations/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync($"/api/integrations/{id}", Ct)).StatusCode);
    }

    [StoreTheory]
    [InlineData("""{"name":"a","baseUrl":"not a url"}""", "baseUrl")]
    [InlineData("""{"name":"a","baseUrl":"http://h","authType":"basic"}""", "authType")]
    [InlineData("""{"name":"a","baseUrl":"http://h","authType":"bearer"}""", "authSecretName")]
    [InlineData("""{"name":"a","baseUrl":"http://h","authType":"header","authSecretName":"k"}""", "authHeaderName")]
    public async Task Bad_integration_settings_are_400(string body, string detail)
    {
        var response = await PostJsonAsync("/api/integrations", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(
            detail,
            (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()
        );
    }

    [StoreTheory]
    [InlineData("""{"name":"has space"}""", "operation name")]
    [InlineData("""{"name":"skein_echo"}""", "built-in")]
    [InlineData("""{"name":"op_x","method":"TRACE"}""", "method")]
    [InlineData("""{"name":"op_x","timeoutSec":0}""", "timeoutSec")]
    [InlineData("""{"name":"op_x","argumentsSchema":"object"}""", "argumentsSchema")]
    [InlineData(
        """{"name":"op_x","argumentsSchema":{"type":"object","properties":{"a":{"$ref":"#/nowhere"}}}}""",
        "argumentsSchema"
    )]
    public async Task Bad_operations_are_400(string body, string detail)
    {
        var id = await CreateIntegrationAsync();

        var response = await PostJsonAsync($"/api/integrations/{id}/operations", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(
            detail,
            (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()
        );
    }

    [StoreFact]
    public async Task Operation_names_are_unique_in_the_workspace()
    {
        var first = await CreateIntegrationAsync();
        var second = await CreateIntegrationAsync();
        var name = Name("op");

        Assert.Equal(
            HttpStatusCode.Created,
            (await Admin.PostAsJsonAsync($"/api/integrations/{first}/operations", new { name }, Ct)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.Conflict,
            (await Admin.PostAsJsonAsync($"/api/integrations/{second}/operations", new { name }, Ct)).StatusCode
        );
    }
}
