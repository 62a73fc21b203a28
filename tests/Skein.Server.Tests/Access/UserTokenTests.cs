using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Skein.Server.Tests.Access;

/// <summary>Personal management tokens (SPEC section 10): they act as their user with the user's role, and stop
/// working once expired, revoked, or when the user is disabled. Only the user or an Admin manages them.</summary>
public sealed class UserTokenTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task A_token_acts_as_its_user_and_whoami_says_who()
    {
        var member = await Members.CreateAsync(Server, "Developer");
        var me = await member.Client.GetFromJsonAsync<JsonElement>("/api/me", Ct);
        Assert.Equal(member.Email, me.GetProperty("email").GetString());
        Assert.Equal("Developer", me.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.String, me.GetProperty("tokenId").ValueKind);

        var admin = await Admin.GetFromJsonAsync<JsonElement>("/api/me", Ct);
        Assert.Equal("admin", admin.GetProperty("email").GetString());
        Assert.Equal("Admin", admin.GetProperty("role").GetString());
    }

    [StoreFact]
    public async Task A_revoked_token_is_refused_at_once()
    {
        var member = await Members.CreateAsync(Server, "Viewer");
        var tokens = await member.Client.GetFromJsonAsync<JsonElement>($"/api/users/{member.Id}/tokens", Ct);
        var tokenId = tokens.GetProperty("items")[0].GetProperty("id").GetGuid();

        // The user themself may revoke their token.
        var revoked = await member.Client.DeleteAsync($"/api/users/{member.Id}/tokens/{tokenId}", Ct);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        var after = await member.Client.GetAsync("/api/me", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [StoreFact]
    public async Task An_expired_token_is_refused()
    {
        var member = await Members.CreateAsync(Server, "Operator", days: 1);
        Assert.Equal(HttpStatusCode.OK, (await member.Client.GetAsync("/api/me", Ct)).StatusCode);

        // A day later (its expiry moved into the past, as the clock would).
        await using (var db = await Server.Contexts.CreateDbContextAsync(Ct))
        {
            await db
                .UserTokens.Where(t => t.UserId == member.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddSeconds(-1)), Ct);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await member.Client.GetAsync("/api/me", Ct)).StatusCode);
    }

    [StoreFact]
    public async Task A_disabled_users_tokens_stop_and_enabling_them_again_restores_them()
    {
        var member = await Members.CreateAsync(Server, "Operator");
        var disabled = await Admin.PutAsJsonAsync($"/api/users/{member.Id}", new { disabled = true }, Ct);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await member.Client.GetAsync("/api/me", Ct)).StatusCode);

        await Admin.PutAsJsonAsync($"/api/users/{member.Id}", new { disabled = false }, Ct);
        Assert.Equal(HttpStatusCode.OK, (await member.Client.GetAsync("/api/me", Ct)).StatusCode);
    }

    [StoreFact]
    public async Task Only_the_user_or_an_Admin_manages_a_users_tokens()
    {
        var owner = await Members.CreateAsync(Server, "Developer");
        var other = await Members.CreateAsync(Server, "Operator");

        var forOther = await other.Client.PostAsJsonAsync(
            $"/api/users/{owner.Id}/tokens",
            new { name = "not mine", expiresInDays = 5 },
            Ct
        );
        Assert.Equal(HttpStatusCode.Forbidden, forOther.StatusCode);
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (await other.Client.GetAsync($"/api/users/{owner.Id}/tokens", Ct)).StatusCode
        );

        // Their own: allowed, and the new token works.
        var own = await Members.CreateTokenAsync(owner.Client, owner.Id, days: 2);
        using var client = Members.Client(Server, own);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me", Ct)).StatusCode);
    }

    [StoreFact]
    public async Task A_role_change_applies_to_the_users_next_request()
    {
        var member = await Members.CreateAsync(Server, "Viewer");
        var refused = await member.Client.PostAsync("/api/sessions/" + Guid.NewGuid() + "/terminate", null, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        await Admin.PutAsJsonAsync($"/api/users/{member.Id}", new { role = "Operator" }, Ct);
        var allowed = await member.Client.PostAsync("/api/sessions/" + Guid.NewGuid() + "/terminate", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
    }

    [StoreFact]
    public async Task Bad_user_input_is_a_400_and_a_taken_email_a_409_never_a_500()
    {
        var tooShort = await Admin.PostAsJsonAsync(
            "/api/users",
            new
            {
                email = "short@example.com",
                displayName = "Short",
                role = "Viewer",
                password = "short",
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
        var badRole = await Admin.PostAsJsonAsync(
            "/api/users",
            new
            {
                email = "role@example.com",
                displayName = "Role",
                role = "Superuser",
                password = Members.Password,
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);

        var member = await Members.CreateAsync(Server, "Viewer");
        var again = await Admin.PostAsJsonAsync(
            "/api/users",
            new
            {
                email = member.Email.ToUpperInvariant(),
                displayName = "Again",
                role = "Viewer",
                password = Members.Password,
            },
            Ct
        );
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var users = await Admin.GetFromJsonAsync<JsonElement>("/api/users", Ct);
        var admin = users
            .GetProperty("items")
            .EnumerateArray()
            .Single(u => u.GetProperty("email").GetString() == "admin");
        var demote = await Admin.PutAsJsonAsync(
            $"/api/users/{admin.GetProperty("id").GetGuid()}",
            new { role = "Viewer" },
            Ct
        );
        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
    }
}
