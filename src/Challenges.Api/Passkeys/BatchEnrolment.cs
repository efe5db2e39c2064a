using System.Buffers.Text;
using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Fido2NetLib.Objects;
using FluentValidation;

namespace Challenges.Api.Passkeys;

/// <summary>POST /v1/users/authenticators: passkeys verified elsewhere (a migration from another provider).</summary>
public sealed record BatchEnrolRequest(IReadOnlyList<BatchEnrolItem?>? Authenticators);

/// <summary>One credential: ids and the COSE key in base64url (either alphabet accepted).</summary>
public sealed record BatchEnrolItem(string? UserId, string? VerificationMethod, string? CredentialId, string? CredentialPublicKey, string? Name,
    IReadOnlyList<string>? Transports, string? Aaguid);

public sealed class BatchEnrolRequestValidator : AbstractValidator<BatchEnrolRequest>
{
    public const int MaxItems = 1000;

    public BatchEnrolRequestValidator()
    {
        RuleFor(r => r.Authenticators).NotNull().WithMessage("authenticators: is required.")
            .Must(a => a is { Count: > 0 and <= MaxItems }).WithMessage($"authenticators: 1 to {MaxItems} items.")
            .Must(a => a is null || a.All(i => i is not null)).WithMessage("authenticators: an item is null.");
    }
}

/// <summary>One item that was not enrolled.</summary>
public sealed record BatchEnrolFailure(string? UserId, string? CredentialId, string ErrorCode, string ErrorDescription);

/// <summary>The batch's outcome: 200 even when items failed.</summary>
public sealed record BatchEnrolResponse(int Total, int Succeeded, int Failed, IReadOnlyList<BatchEnrolFailure> Failures);

/// <summary>
/// Batch enrolment of verified passkeys (docs/contract.md, batch enrol): each credential becomes a verified PASSKEY
/// authenticator of its user (created when unknown), with sign count 0, after its id is claimed in the tenant's index;
/// a credential another user holds is a conflict, one the same user holds already a success. Items are independent.
/// </summary>
public sealed class BatchEnrolment(PasskeyStore passkeys, UserStore users, TimeProvider time)
{
    private const int Parallelism = 8;

    public async Task<BatchEnrolResponse> EnrolAsync(Tenant tenant, IReadOnlyList<BatchEnrolItem> items)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(items);
        var failures = new BatchEnrolFailure?[items.Count];
        await Parallel.ForAsync(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
            async (i, _) => failures[i] = await EnrolAsync(tenant, items[i]));
        var failed = failures.OfType<BatchEnrolFailure>().ToList();
        return new BatchEnrolResponse(items.Count, items.Count - failed.Count, failed.Count, failed);
    }

    private async Task<BatchEnrolFailure?> EnrolAsync(Tenant tenant, BatchEnrolItem item)
    {
        BatchEnrolFailure Fail(string code, string description) => new(item.UserId, item.CredentialId, code, description);
        if (!Validation.IsIdentifier(item.UserId))
        {
            return Fail(ErrorCodes.InvalidRequest, Validation.IdentifierRule("userId"));
        }
        if (item.VerificationMethod != VerificationMethods.Passkey)
        {
            return Fail(ErrorCodes.InvalidRequest, "verificationMethod: only PASSKEY can be enrolled in a batch.");
        }
        if (!tenant.Allows(VerificationMethods.Passkey))
        {
            return Fail(ErrorCodes.InvalidRequest, "verificationMethod: PASSKEY is not enabled for this tenant.");
        }
        if (Base64Lenient.Decode(item.CredentialId) is not { Length: > 0 and <= 1023 } id)
        {
            return Fail(ErrorCodes.InvalidRequest, "credentialId: must be a base64url credential id.");
        }
        if (Base64Lenient.Decode(item.CredentialPublicKey) is not { } key || !IsCoseKey(key))
        {
            return Fail(ErrorCodes.InvalidRequest, "credentialPublicKey: must be a base64url COSE public key (ES256, RS256 or EdDSA).");
        }
        if (item.Name is { Length: > 256 } || item.Aaguid is { } aaguid && !Guid.TryParse(aaguid, out _))
        {
            return Fail(ErrorCodes.InvalidRequest, "name: at most 256 characters; aaguid: a UUID.");
        }
        var userId = item.UserId!;
        var credentialId = Base64Url.EncodeToString(id);
        if (!await passkeys.ClaimAsync(tenant.Id, credentialId, userId, async holder =>
                !(await users.GetAsync(tenant.Id, holder)).Authenticators.Any(a => a.WebAuthn?.CredentialId == credentialId)))
        {
            return Fail(ErrorCodes.Conflict, "credentialId: another user holds this credential.");
        }
        var now = time.GetUtcNow();
        BatchEnrolFailure? refused = null;
        await users.UpdateAsync(tenant.Id, userId, user =>
        {
            refused = null;
            if (user.Authenticators.Any(a => a.WebAuthn?.CredentialId == credentialId))
            {
                return null;
            }
            if (AuthenticatorCaps.Check(tenant, user, VerificationMethods.Passkey) is { } capped)
            {
                refused = Fail(capped.Code, capped.Description);
                return null;
            }
            return user.With(new AuthenticatorRecord
            {
                Id = Ids.New(),
                VerificationMethod = VerificationMethods.Passkey,
                CreatedAt = now,
                VerifiedAt = now,
                DisplayName = item.Name,
                WebAuthn = new WebAuthnCredential
                {
                    CredentialId = credentialId,
                    PublicKey = Base64Url.EncodeToString(key),
                    Transports = RelyingParty.Transports(item.Transports),
                    Aaguid = item.Aaguid,
                },
            });
        });
        return refused;
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
