namespace Skein.Core;

/// <summary>
/// Who did something, as recorded on events and audit entries (<c>engine</c>, <c>timer</c>, <c>seed</c>,
/// <c>operator:&lt;name&gt;</c>, <c>api-key:&lt;id&gt;</c>, <c>trigger:&lt;id&gt;</c>). Built only here so every
/// record spells an actor the same way.
/// </summary>
public sealed record Actor(string Value)
{
    public static readonly Actor Engine = new("engine");
    public static readonly Actor Timer = new("timer");

    /// <summary>The first-start seeder (default workspace, scripted provider, demo agents).</summary>
    public static readonly Actor Seed = new("seed");

    /// <summary>The management token's holder: the built-in admin account.</summary>
    public static readonly Actor Admin = Operator("admin");

    public static Actor Operator(string name) => new("operator:" + name);

    /// <summary>A user acting with a personal management token: the user and which token.</summary>
    public static Actor Token(string user, Guid tokenId) => new("operator:" + user + "/token:" + tokenId);

    public static Actor ApiKey(Guid keyId) => new("api-key:" + keyId);

    public static Actor Trigger(Guid triggerId) => new("trigger:" + triggerId);

    public override string ToString() => Value;
}
