namespace Challenges.Api.Verification;

/// <summary>Which client token a success hands out.</summary>
public enum TokenGrant
{
    None,

    /// <summary>A token with the scopes the action was tracked with.</summary>
    Action,

    /// <summary>The follow-up token: the action's scopes and <c>add:authenticators</c>.</summary>
    FollowUp,
}
