using Challenges.Api.Tokens;

namespace Challenges.Api.Actions;

/// <summary>Names one action: its tenant, user, action code and idempotency key.</summary>
public sealed record ActionRef(string TenantId, string UserId, string ActionCode, string IdempotencyKey)
{
    /// <summary>The action a client token was issued for.</summary>
    public static ActionRef Of(ClientToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new(token.TenantId, token.UserId, token.ActionCode, token.IdempotencyKey);
    }

    public static ActionRef Of(string tenantId, ActionRecord action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new(tenantId, action.UserId, action.ActionCode, action.IdempotencyKey);
    }
}
