using System.Reflection;

namespace Skein.Core.Tests.Errors;

/// <summary>Every code Skein answers with has its row in the one error table, with a client or server status.</summary>
public sealed class ErrorTypesTests
{
    /// <summary>Codes written as literals outside <see cref="DomainErrorCodes"/> (Problems.Of, new
    /// DomainError).</summary>
    private static readonly string[] LiteralCodes =
    [
        "file_finalized",
        "file_not_uploaded",
        "file_too_large",
        "file_uploads_not_allowed",
        "idempotency_in_progress",
        "invalid_signature",
        "ip_not_allowed",
        "key_not_scoped",
        "payload_too_large",
        "rate_limited",
        "too_many_concurrent_runs",
        "trigger_inactive",
        "upload_url_invalid",
    ];

    public static TheoryData<string> KnownCodes()
    {
        var codes = typeof(DomainErrorCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Concat(LiteralCodes);
        return [.. codes];
    }

    [Theory]
    [MemberData(nameof(KnownCodes))]
    public void Every_known_code_has_a_table_entry_with_an_error_status(string code)
    {
        Assert.True(ErrorTypes.All.TryGetValue(code, out var type), $"'{code}' is not in ErrorTypes.All");
        Assert.InRange(type.Status, 400, 599);
        Assert.Equal(code, type.Code);
    }

    [Fact]
    public void Every_table_entry_is_a_client_or_server_error()
    {
        Assert.All(ErrorTypes.All.Values, t => Assert.InRange(t.Status, 400, 599));
    }

    [Fact]
    public void The_unused_concurrency_code_is_gone()
    {
        Assert.False(ErrorTypes.All.ContainsKey("concurrency_limited"));
        Assert.True(ErrorTypes.All.ContainsKey("too_many_concurrent_runs"));
    }
}
