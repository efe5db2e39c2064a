namespace Challenges.Api.Passkeys;

/// <summary>PublicKeyCredentialCreationOptionsJSON, as the three SDKs decode it; binary values in base64url.</summary>
public sealed record CreationOptionsJson(
    string Challenge,
    RelyingPartyJson Rp,
    UserEntityJson User,
    IReadOnlyList<CredentialParameterJson> PubKeyCredParams,
    long Timeout,
    string Attestation,
    IReadOnlyList<CredentialDescriptorJson> ExcludeCredentials,
    AuthenticatorSelectionJson AuthenticatorSelection);

public sealed record RelyingPartyJson(string Id, string Name);

/// <summary><c>id</c> is the user handle, base64url.</summary>
public sealed record UserEntityJson(string Id, string Name, string DisplayName);

public sealed record CredentialParameterJson(string Type, int Alg);

public sealed record CredentialDescriptorJson(string Id, string Type, IReadOnlyList<string>? Transports);

public sealed record AuthenticatorSelectionJson(string? AuthenticatorAttachment, string ResidentKey, bool RequireResidentKey, string UserVerification);

/// <summary>PublicKeyCredentialRequestOptionsJSON.</summary>
public sealed record RequestOptionsJson(
    string Challenge,
    string RpId,
    IReadOnlyList<CredentialDescriptorJson> AllowCredentials,
    long Timeout,
    string UserVerification);

/// <summary>9.1 / 9.2.</summary>
public sealed record RegistrationOptionsResponse(string ChallengeId, CreationOptionsJson Options);

/// <summary>9.4 / 9.5.</summary>
public sealed record AuthenticationOptionsResponse(string ChallengeId, RequestOptionsJson Options);

/// <summary>9.3: a registration's verdict; on success the fresh token, the authenticator and the credential id.</summary>
public sealed record AddPasskeyResponse(bool IsVerified, string? AccessToken, string? UserAuthenticatorId, string? UserId,
    Users.AuthenticatorResponse? UserAuthenticator, string? CredentialId, string? FailureReason);

/// <summary>9.6: an assertion's verdict; on success the fresh token and whose credential it was.</summary>
public sealed record VerifyPasskeyResponse(bool IsVerified, string? AccessToken, string? UserId, string? UserAuthenticatorId, string? Username,
    string? UserDisplayName, string? FailureReason);

/// <summary>9.7: a credential the server knows.</summary>
public sealed record PasskeyProbeResponse(string CredentialId, DateTimeOffset? VerifiedAt);

/// <summary>The security key's registration verdict.</summary>
public sealed record AddSecurityKeyResponse(bool IsVerified, string? AccessToken, string? UserAuthenticatorId);

/// <summary>The security key's verification verdict.</summary>
public sealed record VerifySecurityKeyResponse(bool IsVerified, string? AccessToken);
