using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.Sessions;

/// <summary>
/// Sessions (docs/contract.md §2.4): made once from a client token whose action succeeded a challenge, validated
/// against the store (so revocation is immediate), refreshed by rotation with reuse detection, revoked one by one or
/// all of a user's. <c>issuer</c> is the tenant's issuer (<see cref="AccessTokens.Issuer"/>).
/// </summary>
public sealed partial class SessionService(SessionStore sessions, SessionSigningKeys keys, AccessTokens accessTokens,
    TokenService clientTokens, ActionStore actions, ConflictRetry retry, TimeProvider time, ILogger<SessionService> logger)
{

    private static ApiError Ended() => ApiError.Unauthorized("The session has been revoked, refreshed since or has ended.");

    public async Task<Outcome<SessionTokensResponse>> CreateAsync(Tenant tenant, string issuer, CreateSessionRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var options = tenant.Options.Sessions;
        if (options.Client(request.ClientId) is not { } client)
        {
            return ApiError.Invalid($"clientId: '{request.ClientId}' is not an app client of this tenant.");
        }
        var check = await clientTokens.CheckAsync(request.Token);
        if (check.Status == TokenStatus.Invalid || check.Token!.TenantId != tenant.Id)
        {
            return ApiError.Unauthorized("The token is not valid.");
        }
        if (check.Status == TokenStatus.Expired)
        {
            return new ApiError(ErrorCodes.ExpiredToken, "The token has expired.");
        }
        var token = check.Token;
        if (request.Action is not null && request.Action != token.ActionCode)
        {
            return ApiError.Unauthorized("The token is for another action.");
        }
        var action = (await actions.ReadAsync(ActionRef.Of(token)))?.Value;
        if (action is null)
        {
            return ApiError.NotFound("The token's action no longer exists.");
        }
        if (action.State != ActionStates.ChallengeSucceeded)
        {
            return ApiError.Conflict($"The token's action is {action.State}: a session is made only once a challenge has succeeded.");
        }
        var user = await sessions.GetUserAsync(tenant.Id, token.UserId);
        if (user.Generation != action.UserGeneration)
        {
            return ApiError.NotFound("The token's user has been deleted since its action was tracked.");
        }

        var now = time.GetUtcNow();
        var refreshToken = RefreshTokens.New();
        var session = new SessionRecord
        {
            Id = Ids.New(),
            UserId = token.UserId,
            ClientId = client.Id,
            CreatedAt = now,
            ExpiresAt = now + client.RefreshTokenLifetime,
            RefreshTokenHash = RefreshTokens.Hash(refreshToken),
            AccessTokenId = Ids.New(),
            VerificationMethod = action.VerificationMethod,
            UserGeneration = user.Generation,
        };
        var accessToken = await IssueAsync(tenant, issuer, client, session, user);
        var created = await sessions.CreateAsync(tenant.Id, session, token.ActionCode, token.IdempotencyKey,
            action.CreatedAt + tenant.Limits.ActionRetention, options.MaxSessionsPerUser);
        return created
            ? new SessionTokensResponse(accessToken, refreshToken)
            : ApiError.Conflict("A session has already been made from this action: each successful challenge makes one.");
    }

    public async Task<Outcome<ValidateSessionResponse>> ValidateAsync(Tenant tenant, string issuer, ValidateSessionRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var (check, error) = await ReadAsync(tenant, issuer, request.AccessToken);
        if (error is not null)
        {
            return error;
        }
        var claims = check!.Claims!;
        if (tenant.Options.Sessions.Client(claims.ClientId) is null ||
            (request.ClientIds is { Count: > 0 } ids && !ids.Contains(claims.ClientId, StringComparer.Ordinal)))
        {
            return ApiError.Unauthorized("The access token was issued for another app client.");
        }
        if (check.Status == TokenStatus.Expired)
        {
            return new ApiError(ErrorCodes.ExpiredToken, "The access token has expired.");
        }
        var (stored, user) = await sessions.GetAsync(tenant.Id, claims.UserId, claims.SessionId);
        if (stored?.Value is not { } session || !IsCurrent(session, user) || session.AccessTokenId != claims.TokenId)
        {
            return Ended();
        }
        return new ValidateSessionResponse(SessionUser.From(claims.UserId, user), claims.ExpiresAt.ToUnixTimeSeconds(), session.VerificationMethod);
    }

    public async Task<Outcome<SessionTokensResponse>> RefreshAsync(Tenant tenant, string issuer, RefreshSessionRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var hash = RefreshTokens.Hash(request.RefreshToken!);
        if (await sessions.FindRefreshAsync(tenant.Id, hash) is not { } locator)
        {
            return ApiError.Unauthorized("The refresh token is not valid.");
        }
        return await retry.RunAsync<Outcome<SessionTokensResponse>>("refreshing a session", async _ =>
        {
            var (stored, user) = await sessions.GetAsync(tenant.Id, locator.UserId, locator.SessionId);
            if (stored?.Value is not { } session || !IsCurrent(session, user))
            {
                return Done(Ended());
            }
            if (locator.Generation != session.Generation || !RefreshTokens.SameHash(hash, session.RefreshTokenHash))
            {
                // A genuine token of this session that a refresh has already replaced: whoever holds the other copy
                // is not to be told apart from a thief, so the whole session ends.
                await sessions.RevokeAsync(tenant.Id, session.UserId, session.Id);
                LogReuse(logger, tenant.Id, session.Id);
                return Done(ApiError.Unauthorized("The refresh token has already been used: the session is revoked."));
            }
            if (tenant.Options.Sessions.Client(session.ClientId) is not { } client)
            {
                return Done(ApiError.Unauthorized("The session's app client is no longer configured."));
            }
            var refreshToken = RefreshTokens.New();
            var next = session with
            {
                Generation = session.Generation + 1,
                RefreshTokenHash = RefreshTokens.Hash(refreshToken),
                AccessTokenId = Ids.New(),
            };
            var accessToken = await IssueAsync(tenant, issuer, client, next, user);
            // Changed meanwhile: read again. A concurrent refresh with this same token has made it a reused one.
            return await sessions.RotateAsync(tenant.Id, stored, next)
                ? Done(new SessionTokensResponse(accessToken, refreshToken))
                : Attempt.Conflict<Outcome<SessionTokensResponse>>();
        });

        static Attempt<Outcome<SessionTokensResponse>> Done(Outcome<SessionTokensResponse> outcome) => outcome;
    }

    /// <summary>Ends the access token's session, also when the token has expired (its refresh token would live on).</summary>
    public async Task<Outcome<EmptyResponse>> RevokeAsync(Tenant tenant, string issuer, RevokeSessionRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var (check, error) = await ReadAsync(tenant, issuer, request.AccessToken);
        if (error is not null)
        {
            return error;
        }
        await sessions.RevokeAsync(tenant.Id, check!.Claims!.UserId, check.Claims.SessionId);
        return EmptyResponse.Instance;
    }

    public async Task<Outcome<EmptyResponse>> RevokeUserAsync(Tenant tenant, RevokeUserSessionsRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        await sessions.RevokeAllAsync(tenant.Id, request.UserId!);
        return EmptyResponse.Instance;
    }

    /// <summary>The tenant's published keys; none for a tenant without app clients or keys.</summary>
    public async Task<JwksResponse> JwksAsync(Tenant tenant) => (await keys.ForAsync(tenant))?.Jwks ?? new JwksResponse([]);

    private async Task<(AccessTokenCheck? Check, ApiError? Error)> ReadAsync(Tenant tenant, string issuer, string? accessToken)
    {
        var ring = await keys.ForAsync(tenant);
        var check = ring is null ? null : await accessTokens.CheckAsync(ring, issuer, accessToken);
        return check is null || check.Status == TokenStatus.Invalid
            ? (null, ApiError.Unauthorized("The access token is not valid."))
            : (check, null);
    }

    /// <summary>An access token lasts its client's lifetime, and never beyond its session.</summary>
    private async Task<string> IssueAsync(Tenant tenant, string issuer, SessionClientOptions client, SessionRecord session, UserRecord user)
    {
        var ring = await keys.ForAsync(tenant) ?? throw new InvalidOperationException("A tenant with app clients has session keys.");
        var end = time.GetUtcNow() + client.AccessTokenLifetime;
        return accessTokens.Issue(ring, issuer, session, user, end < session.ExpiresAt ? end : session.ExpiresAt);
    }

    /// <summary>Not past its end, and its user not deleted since it was made.</summary>
    private bool IsCurrent(SessionRecord session, UserRecord user) =>
        session.ExpiresAt > time.GetUtcNow() && session.UserGeneration == user.Generation;

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "A replaced refresh token of session {SessionId} (tenant {TenantId}) was used again: the session is revoked")]
    private static partial void LogReuse(ILogger logger, string tenantId, string sessionId);
}
