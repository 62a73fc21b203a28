namespace Skein.Core.Users;

/// <summary>A dashboard user's role (SPEC section 10). Stored by name.</summary>
public enum Role
{
    /// <summary>Reads everything, changes nothing.</summary>
    Viewer,

    /// <summary>Session actions and user tasks (approvals), and reading everything.</summary>
    Operator,

    /// <summary>Agents, versions, triggers, integrations, providers, secrets, API keys and test runs.</summary>
    Developer,

    /// <summary>Everything, users and workspace settings included.</summary>
    Admin,
}

/// <summary>What a route or a dashboard action needs; <see cref="RoleRules.May"/> says which roles have it.</summary>
public enum Capability
{
    /// <summary>Read anything (every role).</summary>
    Read,

    /// <summary>Act on what is the caller's own (their profile and tokens): every role.</summary>
    Self,

    /// <summary>Session actions and user tasks: Operator and Admin.</summary>
    Operate,

    /// <summary>Configuration of agents and what they use, and test runs: Developer and Admin.</summary>
    Develop,

    /// <summary>Users, workspace settings: Admin.</summary>
    Administer,
}

/// <summary>The one table of which role may do what (SPEC section 10).</summary>
public static class RoleRules
{
    public static bool May(Role role, Capability capability) =>
        capability switch
        {
            Capability.Read or Capability.Self => true,
            Capability.Operate => role is Role.Operator or Role.Admin,
            Capability.Develop => role is Role.Developer or Role.Admin,
            Capability.Administer => role is Role.Admin,
            _ => false,
        };

    /// <summary>The role named <paramref name="name"/> (exact spelling, as SPEC writes it), or an error.</summary>
    public static Result<Role> Parse(string? name) =>
        name is not null && Enum.TryParse<Role>(name, ignoreCase: false, out var role) && Enum.IsDefined(role)
            ? role
            : DomainError.Invalid($"unknown role '{name}'; expected Admin, Developer, Operator or Viewer");

    /// <summary>Why <paramref name="role"/> may not do <paramref name="capability"/> (a 403 problem).</summary>
    public static DomainError Refusal(Role role, Capability capability) =>
        new("forbidden", $"the {role} role may not do this (it needs {Needs(capability)})");

    private static string Needs(Capability capability) =>
        capability switch
        {
            Capability.Operate => "Operator or Admin",
            Capability.Develop => "Developer or Admin",
            _ => "Admin",
        };
}
