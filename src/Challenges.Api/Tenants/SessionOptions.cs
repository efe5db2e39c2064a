namespace Challenges.Api.Tenants;

/// <summary>A tenant's session settings (<c>Tenants__N__Sessions__...</c>, docs/contract.md §2.4).</summary>
public sealed class SessionOptions
{
    /// <summary>The app clients sessions are made for; a client's id becomes the access token's <c>aud</c>.</summary>
    public IList<SessionClientOptions> Clients { get; } = [];

    /// <summary>
    /// RSA keys in PEM, each the PEM text or the path of a PEM file: the first signs access tokens, every one verifies
    /// them and is published in the JWKS (rotation). Empty: one key is generated on first use and kept in the store.
    /// </summary>
    public IList<string> SigningKeys { get; } = [];

    /// <summary>Sessions one user may hold at once; creating one more ends the oldest.</summary>
    public int MaxSessionsPerUser { get; set; } = 20;

    public SessionClientOptions? Client(string? id) =>
        Clients.FirstOrDefault(c => string.Equals(c.Id, id, StringComparison.Ordinal));
}
