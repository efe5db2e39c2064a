using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Challenges.Api.Users;

/// <summary>GET /v1/users: exact filters (ANDed; none = every user), a page size and the cursor of the previous page.</summary>
public sealed record UserQueryRequest(
    [FromQuery(Name = "username")] string? Username,
    [FromQuery(Name = "email")] string? Email,
    [FromQuery(Name = "phoneNumber")] string? PhoneNumber,
    [FromQuery(Name = "token")] string? Token,
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "lastEvaluatedUserId")] string? LastEvaluatedUserId)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public int PageSize => Limit is null ? DefaultLimit : int.Parse(Limit, NumberStyles.None, CultureInfo.InvariantCulture);
}

public sealed class UserQueryRequestValidator : AbstractValidator<UserQueryRequest>
{
    public UserQueryRequestValidator()
    {
        RuleFor(r => r.Limit).Must(l => l is null || (int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) &&
                                                      n is >= 1 and <= UserQueryRequest.MaxLimit))
            .WithMessage($"limit: must be a whole number from 1 to {UserQueryRequest.MaxLimit}.");
        RuleFor(r => r.Username).Identifier();
        RuleFor(r => r.Email).MaximumLength(254).WithMessage("email: must be at most 254 characters.");
        RuleFor(r => r.PhoneNumber).MaximumLength(32).WithMessage("phoneNumber: must be at most 32 characters.");
        RuleFor(r => r.LastEvaluatedUserId).MaximumLength(1024).WithMessage("lastEvaluatedUserId: not a cursor of this server.");
        RuleFor(r => r.Token).MaximumLength(8192).WithMessage("token: must be at most 8192 characters.");
    }
}

/// <summary>One user of a query's page.</summary>
public sealed record QueriedUser(
    string UserId,
    string? Email,
    bool EmailVerified,
    string? PhoneNumber,
    bool PhoneNumberVerified,
    string? Username,
    string? DisplayName,
    bool IsEnrolled,
    IReadOnlyList<string> EnrolledVerificationMethods,
    DateTimeOffset? CreatedAt);

/// <summary>GET /v1/users answer: <c>lastEvaluatedUserId</c> (the next page's cursor) is absent on the last page.</summary>
public sealed record UserQueryResponse(IReadOnlyList<QueriedUser> Users, string? LastEvaluatedUserId, JsonElement? TokenPayload);

/// <summary>
/// The Server API's query of a tenant's users, from the tenant's index (<see cref="UserStore"/>, in creation order):
/// never a scan of the store's keys. A page reads the index from the cursor on and then the users it names, all at
/// once; filters are applied to those users, so a filtered page evaluates at most <see cref="ScanBudget"/> users and may
/// hold fewer than <c>limit</c> (or none) with a cursor to go on from, as <c>lastEvaluatedUserId</c> says. The cursor
/// is opaque: the position of the last user evaluated, bound to the tenant by an HMAC, so a cursor altered or taken to
/// another tenant is refused. Users created while a client pages arrive after every cursor already handed out: they
/// are listed on a later page, and none is listed twice.
/// </summary>
public sealed class UserQuery(UserStore users, TokenService tokens, SigningKeyProvider keys)
{
    /// <summary>Index entries one filtered page evaluates at most.</summary>
    public const int ScanBudget = 1000;

    private readonly byte[] _cursorKey = SigningKeyProvider.Derive(keys.TokenKey, "challenges/user-query-cursor/v1");

    public async Task<Outcome<UserQueryResponse>> QueryAsync(Tenant tenant, UserQueryRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        JsonElement? payload = null;
        if (request.Token is { } token)
        {
            var check = await tokens.CheckAsync(token);
            if (check.Status != TokenStatus.Valid || check.Token!.TenantId != tenant.Id)
            {
                return ApiError.Unauthorized("token: not a current client token of this tenant.");
            }
            payload = Payload(token);
            var user = await users.GetAsync(tenant.Id, check.Token.UserId);
            var listed = user.CreatedAt is not null && Matches(user, request) ? [From(tenant, check.Token.UserId, user)] : Array.Empty<QueriedUser>();
            return new UserQueryResponse(listed, null, payload);
        }
        (long Ms, string Member)? from = null;
        if (request.LastEvaluatedUserId is { } cursor)
        {
            if (Open(tenant.Id, cursor) is not { } position)
            {
                return ApiError.Invalid("lastEvaluatedUserId: not a cursor of this server for this tenant.");
            }
            from = position;
        }
        var limit = request.PageSize;
        var filtered = request.Username is not null || request.Email is not null || request.PhoneNumber is not null;
        var budget = filtered ? Math.Max(limit, ScanBudget) : limit;
        var page = new List<QueriedUser>();
        string? last = null;
        var done = false;
        while (page.Count < limit && budget > 0 && !done)
        {
            var (members, end) = await NextMembersAsync(tenant.Id, from, filtered ? Math.Min(budget, 250) : limit - page.Count);
            if (members.Count == 0)
            {
                done = end;
                break;
            }
            var read = await Task.WhenAll(members.Select(async m => (m.Member, m.UserId, User: await users.GetAsync(tenant.Id, m.UserId))));
            var evaluated = 0;
            foreach (var (member, userId, user) in read)
            {
                last = member;
                budget--;
                evaluated++;
                // Skipped: a member without a current document (a creation that failed, a user deleted or created again since).
                if (user.CreatedAt is { } created && UserStore.MemberOf(created, userId) == member && Matches(user, request))
                {
                    page.Add(From(tenant, userId, user));
                }
                if (page.Count == limit || budget == 0)
                {
                    break;
                }
            }
            done = end && evaluated == read.Length;
            from = last is null ? from : (UserStore.ParseMember(last)!.Value.CreatedAtMs, last);
        }
        return new UserQueryResponse(page, done || last is null ? null : Seal(tenant.Id, last), null);
    }

    /// <summary>
    /// Up to <paramref name="take"/> members after <paramref name="from"/>, and whether they are the last. The index is
    /// read by score from the cursor's creation time, so members created in the same millisecond and at or before the
    /// cursor come first and are passed over: rarely more than a few, so a bounded number of wider reads finds the rest.
    /// </summary>
    private async Task<(IReadOnlyList<(string Member, string UserId)> Members, bool End)> NextMembersAsync(string tenantId,
        (long Ms, string Member)? from, int take)
    {
        var fetch = take + 1;
        for (var round = 0; round < 6; round++, fetch *= 4)
        {
            var raw = await users.IndexRangeAsync(tenantId, from?.Ms ?? 0, fetch);
            var after = raw.Where(m => from is null || string.CompareOrdinal(m, from.Value.Member) > 0).ToList();
            if (after.Count > 0 || raw.Count < fetch)
            {
                var members = after.Take(take).Select(m => (Member: m, Parsed: UserStore.ParseMember(m)))
                    .Where(m => m.Parsed is not null).Select(m => (m.Member, m.Parsed!.Value.UserId)).ToList();
                return (members, raw.Count < fetch && after.Count <= take);
            }
        }
        // Thousands of users created in the cursor's millisecond: go on from the next one.
        return from is { } f ? await NextMembersAsync(tenantId, (f.Ms + 1, ""), take) : ([], true);
    }

    private static bool Matches(UserRecord user, UserQueryRequest request) =>
        (request.Username is null || user.Username == request.Username) &&
        (request.Email is null || string.Equals(user.Email, request.Email, StringComparison.OrdinalIgnoreCase)) &&
        (request.PhoneNumber is null || user.PhoneNumber == request.PhoneNumber);

    private static QueriedUser From(Tenant tenant, string userId, UserRecord user)
    {
        var shown = UserResponse.From(tenant, user);
        return new QueriedUser(userId, shown.Email, shown.EmailVerified, shown.PhoneNumber, shown.PhoneNumberVerified, shown.Username,
            shown.DisplayName, shown.IsEnrolled, shown.EnrolledVerificationMethods, user.CreatedAt);
    }

    /// <summary>The claims of a token already checked genuine.</summary>
    private static JsonElement Payload(string token)
    {
        using var claims = JsonDocument.Parse(WebEncoders.Base64UrlDecode(token.Split('.')[1]));
        return claims.RootElement.Clone();
    }

    private byte[] Mac(string tenantId, string member) =>
        HMACSHA256.HashData(_cursorKey, Encoding.UTF8.GetBytes($"{tenantId}\n{member}"))[..16];

    /// <summary>The opaque cursor for a position: the member and its MAC under the tenant.</summary>
    private string Seal(string tenantId, string member) =>
        $"{WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(member))}.{WebEncoders.Base64UrlEncode(Mac(tenantId, member))}";

    /// <summary>The position a cursor names, when this server made it for this tenant; else null.</summary>
    private (long Ms, string Member)? Open(string tenantId, string cursor)
    {
        var parts = cursor.Split('.');
        if (parts.Length != 2)
        {
            return null;
        }
        try
        {
            var member = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[0]));
            return CryptographicOperations.FixedTimeEquals(WebEncoders.Base64UrlDecode(parts[1]), Mac(tenantId, member)) &&
                   UserStore.ParseMember(member) is { } position
                ? (position.CreatedAtMs, member)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
