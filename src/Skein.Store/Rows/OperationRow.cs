using Skein.Core.Integrations;

namespace Skein.Store.Rows;

/// <summary>An HTTP operation the model can call as a tool, addressed by its unique name in the workspace.</summary>
public sealed class OperationRow
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid IntegrationId { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public string Method { get; set; } = "POST";
    public string Path { get; set; } = "/";
    public string? ArgumentsSchema { get; set; }
    public bool RequireApproval { get; set; }

    /// <summary>Safe to repeat: an interrupted call is retried after a restart instead of failing.</summary>
    public bool Idempotent { get; set; }

    public int TimeoutSec { get; set; } = 30;

    /// <summary>When set, an approval left unanswered this long resolves by its default (reject).</summary>
    public int? ApprovalTimeoutSec { get; set; }
}

public sealed class IntegrationRow
{
    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public required string BaseUrl { get; set; }

    /// <summary><c>none</c>, <c>bearer</c> (<c>Authorization: Bearer</c>) or <c>header</c> (<see
    /// cref="AuthHeaderName"/>).</summary>
    public string AuthType { get; set; } = IntegrationAuthTypes.None;

    public string? AuthHeaderName { get; set; }

    /// <summary>Name of the secret holding the credential; the value itself never leaves the secret store.</summary>
    public string? AuthSecretName { get; set; }
}
