namespace Skein.Store.Rows;

/// <summary>Server-wide values every node must share (e.g. the API-key hashing pepper).</summary>
public sealed class ServerSettingRow
{
    public required string Key { get; set; }
    public required string Value { get; set; }
}
