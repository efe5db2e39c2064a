namespace Challenges.Api.Tokens;

/// <summary>The outcome of reading a token: genuine and current, genuine but expired, or not ours.</summary>
public enum TokenStatus
{
    Valid,
    Expired,
    Invalid,
}

public sealed record TokenCheck(TokenStatus Status, ClientToken? Token);
