namespace Challenges.Api.MagicLink;

/// <summary>An email magic link challenge, stored beside its action. The link itself is never stored: only its hash.</summary>
public sealed record MagicLinkChallengeRecord
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public required string ActionCode { get; init; }
    public required string IdempotencyKey { get; init; }
    public required string AuthenticatorId { get; init; }

    /// <summary>The authenticator was unverified when the link was sent: confirming it ends an enrolment.</summary>
    public bool Enrolment { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>SHA-256 of the link's secret, base64url.</summary>
    public required string LinkHash { get; init; }

    /// <summary>When the link's page was confirmed (its POST); null while pending. A confirmed link is used up.</summary>
    public DateTimeOffset? ConfirmedAt { get; init; }

    public bool IsExpiredAt(DateTimeOffset now) => now >= ExpiresAt;
}
