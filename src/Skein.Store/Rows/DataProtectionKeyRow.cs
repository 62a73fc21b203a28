namespace Skein.Store.Rows;

/// <summary>One ASP.NET Core Data Protection key (its XML), shared by every node of a multi-node store.</summary>
public sealed class DataProtectionKeyRow
{
    public required string FriendlyName { get; set; }
    public required string Xml { get; set; }
    public DateTime CreatedAt { get; set; }
}
