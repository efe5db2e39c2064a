using Challenges.Api.Http;
using Challenges.Api.Tenants;

namespace Challenges.Api.Users;

/// <summary>Users and their authenticators for the Server API.</summary>
public sealed class UserService(UserStore users, IEnumerable<IUserErasure> erasures, IEnumerable<IVerifiedEnrolment> secrets,
    IEnumerable<IRecoveryCodeIssuer> recoveryCodes, TimeProvider time)
{
    public Task<UserRecord> GetAsync(Tenant tenant, string userId) => users.GetAsync(tenant.Id, userId);

    /// <summary>The user's verified authenticators, as the wire shows them.</summary>
    public async Task<IReadOnlyList<AuthenticatorResponse>> ListVerifiedAsync(Tenant tenant, string userId) =>
        (await users.GetAsync(tenant.Id, userId)).Verified.Select(a => AuthenticatorResponse.From(userId, a)).ToList();

    public Task<UserRecord> UpdateAsync(Tenant tenant, string userId, UpdateUserRequest request) =>
        users.UpdateAsync(tenant.Id, userId, user => user with
        {
            Email = Patch(user.Email, request.Email),
            PhoneNumber = Patch(user.PhoneNumber, request.PhoneNumber),
            Username = Patch(user.Username, request.Username),
            DisplayName = Patch(user.DisplayName, request.DisplayName),
            Custom = request.Custom is { ValueKind: System.Text.Json.JsonValueKind.Object } ? request.Custom : user.Custom,
        });

    private static string? Patch(string? current, string? requested) => requested switch
    {
        null => current,
        "" => null,
        _ => requested,
    };

    /// <summary>
    /// Deletes the user's attributes and authenticators (with their device keys), then what is kept beside the user
    /// (<see cref="IUserErasure"/>: their actions). The document itself stays, empty but for the
    /// <c>authenticator.deleted</c> events still to be delivered and the next <see cref="UserRecord.Generation"/>, which
    /// makes every token tracked before now unable to enrol (an action tracked while this ran may outlive it).
    /// </summary>
    public async Task DeleteAsync(Tenant tenant, string userId)
    {
        IReadOnlyList<AuthenticatorRecord> removed = [];
        await users.UpdateAsync(tenant.Id, userId, user =>
        {
            removed = user.Authenticators;
            return UserRecord.Empty with { Outbox = user.Outbox, OutboxSequence = user.OutboxSequence, Generation = user.Generation + 1 };
        });
        await Task.WhenAll(erasures.Select(e => e.EraseAsync(tenant.Id, userId)).Append(users.RemoveDeviceKeysAsync(tenant.Id, removed)));
    }

    /// <summary>
    /// Adds an authenticator the backend verified; the same method and destination (or secret) again returns the existing
    /// one. The method must be enabled for the tenant, and a new authenticator must stay within the tenant's caps. When it
    /// is the user's first verified authenticator, recovery codes are issued with it (if the tenant enables them and
    /// <paramref name="issueRecoveryCodes"/>: a batch enrolment has no reply to show them in).
    /// </summary>
    public async Task<Outcome<EnrolAuthenticatorResponse>> EnrolVerifiedAsync(Tenant tenant, string userId, EnrolAuthenticatorRequest request,
        bool issueRecoveryCodes = true)
    {
        var method = request.VerificationMethod!;
        if (!tenant.Allows(method))
        {
            return ApiError.Invalid($"verificationMethod: {method} is not enabled for this tenant.");
        }
        EnrolmentSecret? secret = null;
        if (secrets.FirstOrDefault(s => s.Method == method) is { } withSecret &&
            (await withSecret.ReadAsync(tenant, userId, request)).Failed(out var bad, out secret))
        {
            return bad;
        }
        var phone = method is VerificationMethods.Sms or VerificationMethods.WhatsApp ? request.PhoneNumber : null;
        var email = method == VerificationMethods.EmailOtp ? request.Email : null;
        var created = new AuthenticatorRecord { Id = Ids.New(), VerificationMethod = method, CreatedAt = time.GetUtcNow(), PhoneNumber = phone, Email = email };
        created = secret?.Fill(created) ?? created;
        AuthenticatorRecord? result = null;
        ApiError? refusal = null;
        var first = false;
        await users.UpdateAsync(tenant.Id, userId, user =>
        {
            var existing = user.Authenticators.FirstOrDefault(a => secret is null
                ? a.VerificationMethod == method && a.PhoneNumber == phone && string.Equals(a.Email, email, StringComparison.OrdinalIgnoreCase)
                : secret.IsHeldBy(a));
            refusal = existing is null ? AuthenticatorCaps.Check(tenant, user, method) : null;
            if (refusal is not null)
            {
                return null;
            }
            first = !user.IsEnrolled;
            var authenticator = existing ?? created;
            result = authenticator with { VerifiedAt = authenticator.VerifiedAt ?? created.CreatedAt, IsDefault = request.IsDefault ?? authenticator.IsDefault };
            return user.With(result) with { Email = user.Email ?? email, PhoneNumber = user.PhoneNumber ?? phone };
        });
        if (refusal is not null)
        {
            return refusal;
        }
        var codes = first && issueRecoveryCodes && recoveryCodes.FirstOrDefault() is { } issuer ? await issuer.IssueAsync(tenant, userId) : null;
        return new EnrolAuthenticatorResponse(AuthenticatorResponse.From(userId, result!), codes);
    }

    public async Task<Outcome<EmptyResponse>> DeleteAuthenticatorAsync(Tenant tenant, string userId, string authenticatorId) =>
        await users.RemoveAuthenticatorAsync(tenant.Id, userId, authenticatorId) is null
            ? ApiError.NotFound($"No authenticator '{authenticatorId}' for this user.")
            : EmptyResponse.Instance;
}
