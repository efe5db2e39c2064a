using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
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
/// Batch enrolment of verified passkeys (docs/contract.md, batch enrol): each item is the Server API's single enrolment
/// of a PASSKEY (<see cref="UserService.EnrolVerifiedAsync"/> with <see cref="PasskeyVerifiedEnrolment"/>), without
/// recovery codes: its user is created when unknown, its credential id claimed in the tenant's index (another user's
/// credential is a conflict, the same user's a success), its sign count 0. Items are independent.
/// </summary>
public sealed class BatchEnrolment(UserService users)
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
        var request = new EnrolAuthenticatorRequest(item.VerificationMethod, null, null, null, CredentialId: item.CredentialId,
            CredentialPublicKey: item.CredentialPublicKey, Name: item.Name, Transports: item.Transports, Aaguid: item.Aaguid);
        return (await users.EnrolVerifiedAsync(tenant, item.UserId!, request, issueRecoveryCodes: false)).Failed(out var error, out _)
            ? Fail(error.Code, error.Description)
            : null;
    }
}
