namespace Challenges.Api.Delivery;

/// <summary>Whether a provider accepted an OTP message; <see cref="Detail"/> says why not, without secrets.</summary>
public sealed record DeliveryOutcome(bool Delivered, string Detail)
{
    public static DeliveryOutcome Ok { get; } = new(true, "delivered");

    public static DeliveryOutcome Failed(string detail) => new(false, detail);
}
