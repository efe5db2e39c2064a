using System.Buffers.Text;
using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Fido2NetLib.Objects;

namespace Challenges.Api.Passkeys;

/// <summary>
/// The Server API's enrolment of a passkey verified elsewhere (a migration from another provider), one at a time
/// (<c>POST /v1/users/{userId}/authenticators</c>) or in a batch (<see cref="BatchEnrolment"/>): the credential id and
/// COSE key are checked, the id is claimed for the user in the tenant's credential index (a credential another user
/// still holds is a conflict), and the authenticator stores the key with the counter the other provider last saw, so a
/// cloned authenticator's older counter is refused as it is for a passkey registered here.
/// </summary>
public sealed class PasskeyVerifiedEnrolment(PasskeyStore passkeys, UserStore users) : IVerifiedEnrolment
{
    public const int MaxCredentialIdBytes = 1023;
    public const int MaxNameLength = 256;

    public string Method => VerificationMethods.Passkey;

    public async Task<Outcome<EnrolmentSecret>> ReadAsync(Tenant tenant, string userId, EnrolAuthenticatorRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        if (Base64Lenient.Decode(request.CredentialId) is not { Length: > 0 and <= MaxCredentialIdBytes } id)
        {
            return ApiError.Invalid("credentialId: must be a base64url credential id.");
        }
        if (Base64Lenient.Decode(request.CredentialPublicKey) is not { } key || !IsCoseKey(key))
        {
            return ApiError.Invalid("credentialPublicKey: must be a base64url COSE public key (ES256, RS256 or EdDSA).");
        }
        if (request.Name is { Length: > MaxNameLength } || request.Aaguid is { } aaguid && !Guid.TryParse(aaguid, out _))
        {
            return ApiError.Invalid($"name: at most {MaxNameLength} characters; aaguid: a UUID.");
        }
        var credentialId = Base64Url.EncodeToString(id);
        if (!await passkeys.ClaimAsync(tenant.Id, credentialId, userId, async holder =>
                !(await users.GetAsync(tenant.Id, holder)).Authenticators.Any(a => a.WebAuthn?.CredentialId == credentialId)))
        {
            return ApiError.Conflict("credentialId: another user holds this credential.");
        }
        var credential = new WebAuthnCredential
        {
            CredentialId = credentialId,
            PublicKey = Base64Url.EncodeToString(key),
            SignCount = (uint)Math.Clamp(request.Counter ?? 0, 0, uint.MaxValue),
            Transports = RelyingParty.Transports(request.Transports),
            Aaguid = request.Aaguid,
        };
        return new EnrolmentSecret(a => a with { DisplayName = request.Name, WebAuthn = credential },
            a => a.WebAuthn?.CredentialId == credentialId);
    }

    private static bool IsCoseKey(byte[] key)
    {
        try
        {
            var parsed = new CredentialPublicKey(key);
            if (parsed.IsSameAlg(COSE.Algorithm.ES256))
            {
                using var ec = parsed.CreateECDsa();
                return true;
            }
            return parsed.IsSameAlg(COSE.Algorithm.RS256) || parsed.IsSameAlg(COSE.Algorithm.EdDSA);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or InvalidCastException or
                                       KeyNotFoundException or System.Security.Cryptography.CryptographicException or
                                       System.Formats.Cbor.CborContentException or Fido2NetLib.Fido2VerificationException)
        {
            return false;
        }
    }
}
