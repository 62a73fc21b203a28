using System.Net;
using System.Text;
using System.Text.Json;

namespace Skein.Server.Tests.Access;

/// <summary>
/// SPEC section 10, table-driven: each role against a route of every route group. A role that may not gets a 403
/// problem (<c>urn:skein:error:forbidden</c>); a role that may gets past the check (the route's own answer: 200,
/// 400 or 404 for the made-up ids used here, never 401 or 403).
/// </summary>
public sealed class RoleAccessTests(ApiServers servers) : ApiTests(servers)
{
    private const string Nobody = "00000000-0000-7000-8000-000000000001";

    public static TheoryData<string, string, string, string, string> Routes() =>
        new()
        {
            // group, method, path, body, roles that may
            { "read", "GET", "/api/agents", "", "Admin Developer Operator Viewer" },
            { "read", "GET", "/api/sessions", "", "Admin Developer Operator Viewer" },
            { "read", "GET", "/api/audit", "", "Admin Developer Operator Viewer" },
            { "self", "GET", "/api/me", "", "Admin Developer Operator Viewer" },
            { "operate", "POST", $"/api/sessions/{Nobody}/terminate", "", "Admin Operator" },
            { "operate", "POST", $"/api/sessions/{Nobody}/complete", "", "Admin Operator" },
            { "operate", "POST", $"/api/tasks/{Nobody}/answer", """{"approved":true}""", "Admin Operator" },
            { "operate", "POST", $"/api/runs/{Nobody}/skip-agent-wait", "", "Admin Operator" },
            { "develop", "POST", "/api/agents", "{}", "Admin Developer" },
            { "develop", "POST", $"/api/agents/{Nobody}/runs", "{}", "Admin Developer" },
            { "develop", "PUT", $"/api/agents/{Nobody}/execution-mode", "{}", "Admin Developer" },
            { "develop", "DELETE", $"/api/providers/{Nobody}", "", "Admin Developer" },
            { "develop", "DELETE", "/api/secrets/no-such-secret", "", "Admin Developer" },
            { "develop", "DELETE", $"/api/keys/{Nobody}", "", "Admin Developer" },
            { "develop", "POST", "/api/manifests/apply", "{}", "Admin Developer" },
            { "develop", "DELETE", $"/api/integrations/{Nobody}", "", "Admin Developer" },
            { "administer", "GET", "/api/users", "", "Admin" },
            { "administer", "POST", "/api/users", "{}", "Admin" },
            { "administer", "PUT", $"/api/users/{Nobody}", "{}", "Admin" },
        };

    [StoreTheory]
    [MemberData(nameof(Routes))]
    public async Task Each_role_reaches_exactly_the_route_groups_SPEC_gives_it(
        string group,
        string method,
        string path,
        string body,
        string allowed
    )
    {
        foreach (var role in new[] { "Admin", "Developer", "Operator", "Viewer" })
        {
            var member = await Members.OfAsync(Server, role);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method != "GET")
            {
                // Manifests are YAML: routing answers 415 to another media type before any check.
                var media = path.EndsWith("/manifests/apply", StringComparison.Ordinal)
                    ? "application/yaml"
                    : "application/json";
                request.Content = new StringContent(body, Encoding.UTF8, media);
            }

            using var response = await member.Client.SendAsync(request, Ct);
            var may = allowed.Split(' ').Contains(role);
            if (may)
            {
                Assert.True(
                    response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized),
                    $"{role} {method} {path} ({group}) answered {(int)response.StatusCode}"
                );
            }
            else
            {
                Assert.True(
                    response.StatusCode == HttpStatusCode.Forbidden,
                    $"{role} {method} {path} ({group}) answered {(int)response.StatusCode}, expected 403"
                );
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
                Assert.Equal("urn:skein:error:forbidden", problem.GetProperty("type").GetString());
                Assert.Contains(role, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }
    }

    [StoreFact]
    public async Task A_request_without_credentials_is_401_not_403()
    {
        using var anonymous = Server.CreateClient();
        using var response = await anonymous.PostAsync($"/api/sessions/{Nobody}/terminate", null, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
