using Challenges.Api.Observability;

namespace Challenges.Api.Delivery;

/// <summary>Delivery attempts counted and timed on the <see cref="ChallengeMetrics"/>.</summary>
public static class DeliveryMetrics
{
    /// <summary>An OTP delivery: its outcome is <see cref="DeliveryOutcome.Delivered"/>.</summary>
    public static Task<DeliveryOutcome> DeliverAsync(this ChallengeMetrics metrics, string channel, string provider,
        Func<Task<DeliveryOutcome>> attempt)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return metrics.DeliverAsync(channel, provider, attempt, o => o.Delivered);
    }
}
