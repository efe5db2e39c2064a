namespace Challenges.Api.Tokens;

/// <summary>What a client token says (docs/contract.md §1.3), once its signature has been checked.</summary>
public sealed record ClientToken(
    string TenantId,
    string UserId,
    string ActionCode,
    string IdempotencyKey,
    IReadOnlyList<string> Scopes,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string? Username = null,
    string? Acr = null,
    DateTimeOffset? AuthTime = null)
{
    public bool Has(string scope) => Scopes.Contains(scope, StringComparer.Ordinal);
}
