namespace Challenges.Api.Users;

/// <summary>An authenticator on the wire (Server API list and Client API list alike).</summary>
public sealed record AuthenticatorResponse(
    string UserId,
    string UserAuthenticatorId,
    string VerificationMethod,
    DateTimeOffset CreatedAt,
    DateTimeOffset? VerifiedAt,
    DateTimeOffset? LastVerifiedAt,
    string? PhoneNumber,
    string? Email,
    string? DisplayName,
    string? DevicePlatform,
    WebAuthnCredentialResponse? WebauthnCredential = null)
{
    public static AuthenticatorResponse From(string userId, AuthenticatorRecord a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(userId, a.Id, a.VerificationMethod, a.CreatedAt, a.VerifiedAt, a.LastVerifiedAt, a.PhoneNumber, a.Email,
            a.DisplayName, a.DevicePlatform, WebAuthnCredentialResponse.From(a.WebAuthn));
    }
}
