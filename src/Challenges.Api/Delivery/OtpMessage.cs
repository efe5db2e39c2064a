namespace Challenges.Api.Delivery;

/// <summary>
/// One OTP to deliver: the destination (E.164 phone or email address), the code, and the context the tenant's
/// webhook receives. <see cref="UserId"/> is null for a passwordless challenge not yet bound to a user.
/// </summary>
public sealed record OtpMessage(string To, string Code, string? UserId, string ActionCode, string IdempotencyKey, string? Locale,
    TimeSpan Lifetime)
{
    /// <summary>The text of an SMS, a WhatsApp message or an email body.</summary>
    public string Text => $"Your verification code is {Code}. It expires in {(int)Math.Ceiling(Lifetime.TotalMinutes)} minutes.";
}
