using System.Text.Json;
using Skein.Core;
using Skein.Store.Rows;

namespace Skein.Application.Integrations;

/// <summary>An integration as shown: the auth secret's name, never its value.</summary>
public sealed record IntegrationView(
    Guid Id,
    string Name,
    string BaseUrl,
    string AuthType,
    string? AuthHeaderName,
    string? AuthSecretName,
    IReadOnlyList<OperationView> Operations
)
{
    public static IntegrationView From(IntegrationRow i, IEnumerable<OperationRow> operations) =>
        new(
            i.Id,
            i.Name,
            i.BaseUrl,
            i.AuthType,
            i.AuthHeaderName,
            i.AuthSecretName,
            [.. operations.Where(o => o.IntegrationId == i.Id).OrderBy(o => o.Name).Select(OperationView.From)]
        );
}

public sealed record OperationView(
    Guid Id,
    Guid IntegrationId,
    string Name,
    string Description,
    string Method,
    string Path,
    JsonElement? ArgumentsSchema,
    bool RequireApproval,
    bool Idempotent,
    int TimeoutSec,
    int? ApprovalTimeoutSec
)
{
    public static OperationView From(OperationRow o) =>
        new(
            o.Id,
            o.IntegrationId,
            o.Name,
            o.Description,
            o.Method,
            o.Path,
            o.ArgumentsSchema is null ? null : SkeinJson.Parse(o.ArgumentsSchema),
            o.RequireApproval,
            o.Idempotent,
            o.TimeoutSec,
            o.ApprovalTimeoutSec
        );
}

/// <summary>Create/edit of an integration; on edit an absent field keeps its value.</summary>
public sealed record IntegrationBody(
    string? Name,
    string? BaseUrl,
    string? AuthType,
    string? AuthHeaderName,
    string? AuthSecretName
);

/// <summary>Create/edit of an operation; on edit an absent field keeps its value.</summary>
public sealed record OperationBody(
    string? Name,
    string? Description,
    string? Method,
    string? Path,
    JsonElement? ArgumentsSchema,
    bool? RequireApproval,
    bool? Idempotent,
    int? TimeoutSec,
    int? ApprovalTimeoutSec
);
