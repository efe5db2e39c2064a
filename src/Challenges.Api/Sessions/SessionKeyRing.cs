using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Sessions;

/// <summary>A tenant's session keys: the first signs access tokens, every one verifies them and is published.</summary>
public sealed class SessionKeyRing
{
    public SessionKeyRing(IReadOnlyList<SessionKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0 || !keys[0].CanSign)
        {
            throw new ArgumentException("The first session key must be a private key: it signs.", nameof(keys));
        }
        Keys = keys;
        Credentials = new SigningCredentials(keys[0].SecurityKey, SecurityAlgorithms.RsaSha256);
        Jwks = new JwksResponse(keys.Select(k => k.Jwk).ToArray());
    }

    public IReadOnlyList<SessionKey> Keys { get; }
    public SigningCredentials Credentials { get; }
    public JwksResponse Jwks { get; }
}
