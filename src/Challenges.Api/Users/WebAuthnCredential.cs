namespace Challenges.Api.Users;

/// <summary>A passkey's or security key's WebAuthn credential, kept on its authenticator.</summary>
public sealed record WebAuthnCredential
{
    /// <summary>The credential id, base64url without padding (as browsers report <c>rawId</c>).</summary>
    public required string CredentialId { get; init; }

    /// <summary>The COSE public key, base64url.</summary>
    public required string PublicKey { get; init; }

    /// <summary>The highest signature counter seen; 0 for an authenticator that does not count.</summary>
    public uint SignCount { get; init; }

    public IReadOnlyList<string>? Transports { get; init; }
    public string? Aaguid { get; init; }
    public bool BackupEligible { get; init; }
    public bool BackedUp { get; init; }

    /// <summary>The attestation format the credential was registered with (<c>none</c>, <c>packed</c>, …).</summary>
    public string? AttestationFormat { get; init; }

    /// <summary>The mobile SDK's device id, when it sent one.</summary>
    public string? DeviceId { get; init; }

    /// <summary>Set when an assertion's counter went backwards: the authenticator may have been cloned, and is refused from then on.</summary>
    public DateTimeOffset? ClonedAt { get; init; }
}

/// <summary>The <c>webauthnCredential</c> of a PASSKEY or SECURITY_KEY authenticator on the wire.</summary>
public sealed record WebAuthnCredentialResponse(string CredentialId, string? Aaguid, IReadOnlyList<string>? Transports, bool? BackupEligible,
    bool? BackedUp)
{
    public static WebAuthnCredentialResponse? From(WebAuthnCredential? credential) => credential is null
        ? null
        : new(credential.CredentialId, credential.Aaguid, credential.Transports, credential.BackupEligible, credential.BackedUp);
}
