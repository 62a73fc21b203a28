namespace Skein.Testing.Stores;

/// <summary>The store a test runs on: the embedded default or the multi-node one.</summary>
public enum StoreKind
{
    Sqlite,
    Postgres,
}
