using Challenges.Api.Http;
using Challenges.Api.Push;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;

namespace Challenges.Api.Users;

/// <summary>Users and their authenticators for the Server API.</summary>
public sealed class UserService(UserStore users, IStateStore store, TimeProvider time)
{
    public Task<UserRecord> GetAsync(Tenant tenant, string userId) => users.GetAsync(tenant.Id, userId);

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
    /// Deletes the user's attributes, authenticators and actions. The document itself stays, empty but for the
    /// <c>authenticator.deleted</c> events still to be delivered and the next <see cref="UserRecord.Generation"/>, which
    /// makes every token tracked before now unable to enrol (an action tracked while this ran may outlive it).
    /// </summary>
    public async Task DeleteAsync(Tenant tenant, string userId)
    {
        var actions = await store.IndexRangeAsync(StoreKeys.ActionIndex(tenant.Id, userId), double.NegativeInfinity, int.MaxValue);
        IReadOnlyList<AuthenticatorRecord> removed = [];
        await users.UpdateAsync(tenant.Id, userId, user =>
            {
                removed = user.Authenticators;
                return UserRecord.Empty with { Outbox = user.Outbox, OutboxSequence = user.OutboxSequence, Generation = user.Generation + 1 };
            },
            _ => actions.Select(StoreKeys.ParseActionMember).OfType<(string ActionCode, string IdempotencyKey)>()
                .Select(a => StateChange.Delete(StoreKeys.Action(tenant.Id, userId, a.ActionCode, a.IdempotencyKey)))
                .Append(StateChange.Delete(StoreKeys.ActionIndex(tenant.Id, userId))));
        await RemoveDeviceKeysAsync(tenant, removed);
    }

    /// <summary>
    /// Adds an authenticator the backend verified; the same method and destination again returns the existing one. A
    /// new one must stay within the tenant's authenticator caps.
    /// </summary>
    public async Task<Outcome<AuthenticatorRecord>> EnrolVerifiedAsync(Tenant tenant, string userId, EnrolAuthenticatorRequest request)
    {
        var now = time.GetUtcNow();
        var method = request.VerificationMethod!;
        var phone = method == VerificationMethods.EmailOtp ? null : request.PhoneNumber;
        var email = method == VerificationMethods.EmailOtp ? request.Email : null;
        AuthenticatorRecord? result = null;
        ApiError? refusal = null;
        await users.UpdateAsync(tenant.Id, userId, user =>
        {
            var existing = user.Authenticators.FirstOrDefault(a => a.VerificationMethod == method && a.PhoneNumber == phone &&
                string.Equals(a.Email, email, StringComparison.OrdinalIgnoreCase));
            refusal = existing is null ? EnrolmentPolicy.CheckCaps(tenant, user, method) : null;
            if (refusal is not null)
            {
                return null;
            }
            var authenticator = existing
                ?? new AuthenticatorRecord { Id = Ids.New(), VerificationMethod = method, CreatedAt = now, PhoneNumber = phone, Email = email };
            authenticator = authenticator with { VerifiedAt = authenticator.VerifiedAt ?? now, IsDefault = request.IsDefault ?? authenticator.IsDefault };
            result = authenticator;
            return WithAuthenticator(user, authenticator) with
            {
                Email = user.Email ?? email,
                PhoneNumber = user.PhoneNumber ?? phone,
            };
        });
        return refusal is not null ? refusal : result!;
    }

    /// <summary>Replaces or adds <paramref name="authenticator"/>; a default authenticator clears the others' default.</summary>
    public static UserRecord WithAuthenticator(UserRecord user, AuthenticatorRecord authenticator)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(authenticator);
        var list = user.Authenticators.Where(a => a.Id != authenticator.Id)
            .Select(a => authenticator.IsDefault && a.IsDefault ? a with { IsDefault = false } : a)
            .ToList();
        var position = user.Authenticators.ToList().FindIndex(a => a.Id == authenticator.Id);
        list.Insert(position < 0 ? list.Count : position, authenticator);
        return user with { Authenticators = list };
    }

    public async Task<ApiError?> DeleteAuthenticatorAsync(Tenant tenant, string userId, string authenticatorId)
    {
        AuthenticatorRecord? removed = null;
        await users.UpdateAsync(tenant.Id, userId, user =>
        {
            removed = user.Find(authenticatorId);
            return removed is null ? null : user with { Authenticators = user.Authenticators.Where(a => a != removed).ToList() };
        });
        if (removed is null)
        {
            return ApiError.NotFound($"No authenticator '{authenticatorId}' for this user.");
        }
        await RemoveDeviceKeysAsync(tenant, [removed]);
        return null;
    }

    /// <summary>Each device key has its own slot: one commit per key, all sent together.</summary>
    private async Task RemoveDeviceKeysAsync(Tenant tenant, IEnumerable<AuthenticatorRecord> authenticators) =>
        await Task.WhenAll(authenticators.Select(a => a.PublicKey).OfType<string>().Select(DeviceKeys.KeyId).Select(keyId =>
            store.CommitAsync([StateChange.Delete(StoreKeys.Device(tenant.Id, keyId)), StateChange.Delete(StoreKeys.DevicePending(tenant.Id, keyId))])));
}
