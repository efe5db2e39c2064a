namespace Challenges.Api.Delivery;

/// <summary>
/// One magic link to mail: the address, the link (a secret: whoever holds it completes the challenge), and the context
/// the tenant's webhook receives.
/// </summary>
public sealed record MagicLinkMessage(string To, Uri Url, string UserId, string ActionCode, string IdempotencyKey, string? Locale,
    TimeSpan Lifetime)
{
    /// <summary>The plain-text body of the email.</summary>
    public string Text =>
        $"Open this link to confirm it is you:\n\n{Url}\n\nIt expires in {(int)Math.Ceiling(Lifetime.TotalMinutes)} minutes and works once. " +
        "If you did not ask for it, ignore this email.";
}
