using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Fido2NetLib;
using Fido2NetLib.Exceptions;
using Fido2NetLib.Objects;

namespace Challenges.Api.Passkeys;

/// <summary>What a ceremony's check came to: the credential as registered or moved, or why it failed.</summary>
/// <param name="Credential">Registration: the new credential; authentication: the credential with its new sign count.</param>
/// <param name="Failure">Why the credential was refused (a <see cref="WebAuthnFailures"/> value); null on success.</param>
public sealed record WebAuthnVerdict(WebAuthnCredential? Credential, string? Failure)
{
    public bool Succeeded => Failure is null;

    public static WebAuthnVerdict Refused(string failure) => new(null, failure);
}

/// <summary>The <c>failureReason</c> of a refused ceremony (ours).</summary>
public static class WebAuthnFailures
{
    public const string ChallengeInvalidOrExpired = "CHALLENGE_INVALID_OR_EXPIRED";
    public const string OriginNotAllowed = "ORIGIN_NOT_ALLOWED";
    public const string UserVerificationRequired = "USER_VERIFICATION_REQUIRED";
    public const string CounterRegression = "SIGN_COUNT_REGRESSION";
    public const string CredentialExists = "CREDENTIAL_ALREADY_REGISTERED";
    public const string Invalid = "INVALID_CREDENTIAL";
}

/// <summary>
/// A tenant's WebAuthn relying party: the ceremony's checks on what the SDK sent, against the stored challenge. The
/// origin (the tenant's list, exactly) and the challenge binding are checked here; the Fido2 library checks the rest:
/// client data type and challenge, RP ID hash, user presence, user verification when required, algorithm, attestation
/// statement (<c>none</c> and the formats it can verify) and the assertion's signature. The counter rule is ours: a
/// counter that does not grow, once either side has counted, is a cloned authenticator.
/// </summary>
public static class RelyingParty
{
    /// <summary>Offered algorithms: ES256 and RS256 (Android drops EdDSA, −8).</summary>
    public static readonly IReadOnlyList<CredentialParameterJson> Algorithms =
        [new("public-key", (int)COSE.Algorithm.ES256), new("public-key", (int)COSE.Algorithm.RS256)];

    private static readonly IReadOnlyList<PubKeyCredParam> Fido2Algorithms = [PubKeyCredParam.ES256, PubKeyCredParam.RS256];

    /// <summary>A user's handle: stable, opaque, without the user id in it (ours: SHA-256 of tenant and user).</summary>
    public static byte[] UserHandle(string tenantId, string userId) => SHA256.HashData(Encoding.UTF8.GetBytes($"{tenantId}\n{userId}"));

    public static byte[] NewChallenge() => RandomNumberGenerator.GetBytes(32);

    /// <summary>The origin the client data names, when it reads as client data at all.</summary>
    private static string? OriginOf(byte[] clientData)
    {
        try
        {
            using var json = JsonDocument.Parse(clientData);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("origin", out var origin) &&
                   origin.ValueKind == JsonValueKind.String
                ? origin.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Fido2 For(PasskeyOptions rp, string origin) => new(new Fido2Configuration
    {
        RPID = rp.RpId,
        RPName = rp.RpName,
        Origins = new HashSet<string>([origin], StringComparer.OrdinalIgnoreCase),
    });

    /// <summary>Checks a registration against its challenge; <paramref name="isNew"/> says whether no one holds the credential id yet.</summary>
    public static async Task<WebAuthnVerdict> VerifyRegistrationAsync(PasskeyOptions rp, PasskeyChallengeRecord challenge, WebAuthnCredentialJson credential,
        Func<byte[], Task<bool>> isNew, string? deviceId)
    {
        ArgumentNullException.ThrowIfNull(rp);
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(credential);
        var clientData = Base64Lenient.Decode(credential.Response?.ClientDataJson);
        var attestation = Base64Lenient.Decode(credential.Response?.AttestationObject);
        var id = credential.IdBytes;
        if (clientData is null || attestation is null || id is null)
        {
            return WebAuthnVerdict.Refused(WebAuthnFailures.Invalid);
        }
        if (OriginOf(clientData) is not { } origin || !rp.Allows(origin))
        {
            return WebAuthnVerdict.Refused(WebAuthnFailures.OriginNotAllowed);
        }
        var options = new CredentialCreateOptions
        {
            Rp = new PublicKeyCredentialRpEntity(rp.RpId, rp.RpName),
            User = new Fido2User { Id = Base64Lenient.Decode(challenge.UserHandle) ?? [], Name = challenge.Username ?? "", DisplayName = challenge.DisplayName ?? "" },
            Challenge = Base64Lenient.Decode(challenge.Challenge)!,
            PubKeyCredParams = Fido2Algorithms,
            AuthenticatorSelection = new AuthenticatorSelection
            {
                UserVerification = challenge.UserVerificationRequired ? UserVerificationRequirement.Required : UserVerificationRequirement.Preferred,
            },
        };
        var raw = new AuthenticatorAttestationRawResponse
        {
            Id = Base64Url.EncodeToString(id),
            RawId = id,
            Type = PublicKeyCredentialType.PublicKey,
            Response = new AuthenticatorAttestationRawResponse.AttestationResponse
            {
                AttestationObject = attestation,
                ClientDataJson = clientData,
                Transports = [],
            },
            ClientExtensionResults = new AuthenticationExtensionsClientOutputs(),
        };
        return await CheckedAsync(async () =>
        {
            var registered = await For(rp, origin).MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = raw,
                OriginalOptions = options,
                IsCredentialIdUniqueToUserCallback = (p, _) => isNew(p.CredentialId),
            });
            return new WebAuthnVerdict(new WebAuthnCredential
            {
                CredentialId = Base64Url.EncodeToString(registered.Id),
                PublicKey = Base64Url.EncodeToString(registered.PublicKey),
                SignCount = registered.SignCount,
                Transports = Transports(credential.Response?.Transports),
                Aaguid = registered.AaGuid == Guid.Empty ? null : registered.AaGuid.ToString(),
                BackupEligible = registered.IsBackupEligible,
                BackedUp = registered.IsBackedUp,
                AttestationFormat = registered.AttestationFormat,
                DeviceId = deviceId,
            }, null);
        });
    }

    /// <summary>Checks an assertion by <paramref name="stored"/> against its challenge.</summary>
    public static async Task<WebAuthnVerdict> VerifyAssertionAsync(PasskeyOptions rp, PasskeyChallengeRecord challenge, WebAuthnCredentialJson credential,
        WebAuthnCredential stored)
    {
        ArgumentNullException.ThrowIfNull(rp);
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(stored);
        var clientData = Base64Lenient.Decode(credential.Response?.ClientDataJson);
        var authenticatorData = Base64Lenient.Decode(credential.Response?.AuthenticatorData);
        var signature = Base64Lenient.Decode(credential.Response?.Signature);
        var id = credential.IdBytes;
        var publicKey = Base64Lenient.Decode(stored.PublicKey);
        if (clientData is null || authenticatorData is null || signature is null || id is null || publicKey is null)
        {
            return WebAuthnVerdict.Refused(WebAuthnFailures.Invalid);
        }
        if (stored.ClonedAt is not null)
        {
            return WebAuthnVerdict.Refused(WebAuthnFailures.CounterRegression);
        }
        if (OriginOf(clientData) is not { } origin || !rp.Allows(origin))
        {
            return WebAuthnVerdict.Refused(WebAuthnFailures.OriginNotAllowed);
        }
        var options = new AssertionOptions
        {
            Challenge = Base64Lenient.Decode(challenge.Challenge)!,
            RpId = rp.RpId,
            UserVerification = challenge.UserVerificationRequired ? UserVerificationRequirement.Required : UserVerificationRequirement.Preferred,
        };
        // The user handle is left out: the credential names its user, the handle is never trusted (and iOS sends it in another form).
        var raw = new AuthenticatorAssertionRawResponse
        {
            Id = Base64Url.EncodeToString(id),
            RawId = id,
            Type = PublicKeyCredentialType.PublicKey,
            Response = new AuthenticatorAssertionRawResponse.AssertionResponse
            {
                AuthenticatorData = authenticatorData,
                ClientDataJson = clientData,
                Signature = signature,
            },
            ClientExtensionResults = new AuthenticationExtensionsClientOutputs(),
        };
        return await CheckedAsync(async () =>
        {
            var result = await For(rp, origin).MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = raw,
                OriginalOptions = options,
                StoredPublicKey = publicKey,
                StoredSignatureCounter = stored.SignCount,
                IsUserHandleOwnerOfCredentialIdCallback = (_, _) => Task.FromResult(false),
            });
            // A counter that stopped (0 after a count) is as suspect as one that went back; both 0: the authenticator does not count.
            if (stored.SignCount > 0 && result.SignCount == 0)
            {
                return WebAuthnVerdict.Refused(WebAuthnFailures.CounterRegression);
            }
            return new WebAuthnVerdict(stored with { SignCount = result.SignCount, BackedUp = result.IsBackedUp }, null);
        });
    }

    /// <summary>Runs the library's check: its refusal, or input it cannot read, is a refused credential, never a 500.</summary>
    private static async Task<WebAuthnVerdict> CheckedAsync(Func<Task<WebAuthnVerdict>> check)
    {
        try
        {
            return await check();
        }
        catch (Fido2VerificationException e)
        {
            return WebAuthnVerdict.Refused(FailureOf(e));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or CryptographicException or
                                       OverflowException or System.Formats.Cbor.CborContentException or UriFormatException)
        {
            return WebAuthnVerdict.Refused(WebAuthnFailures.Invalid);
        }
    }

    private static string FailureOf(Fido2VerificationException e) => e.Code switch
    {
        Fido2ErrorCode.InvalidSignCount => WebAuthnFailures.CounterRegression,
        Fido2ErrorCode.UserVerificationRequirementNotMet => WebAuthnFailures.UserVerificationRequired,
        Fido2ErrorCode.InvalidAuthenticatorResponseChallenge or Fido2ErrorCode.MissingAuthenticatorResponseChallenge =>
            WebAuthnFailures.ChallengeInvalidOrExpired,
        Fido2ErrorCode.NonUniqueCredentialId => WebAuthnFailures.CredentialExists,
        _ => WebAuthnFailures.Invalid,
    };

    private static readonly string[] KnownTransports = ["usb", "nfc", "ble", "internal", "hybrid", "smart-card"];

    /// <summary>The transports the client reported that WebAuthn defines, for <c>excludeCredentials</c> and <c>allowCredentials</c>.</summary>
    public static IReadOnlyList<string>? Transports(IReadOnlyList<string>? reported) =>
        reported?.Where(t => KnownTransports.Contains(t, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToArray() is { Length: > 0 } known
            ? known
            : null;
}
