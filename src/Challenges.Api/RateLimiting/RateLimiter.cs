using Challenges.Api.Http;
using Challenges.Api.Observability;
using Challenges.Api.Storage;

namespace Challenges.Api.RateLimiting;

/// <summary>
/// Fixed-window counters in the store, so a limit holds across every server process. A window is numbered from the
/// Unix epoch by <see cref="TimeProvider"/> (so a test's clock moves it); the key's time to live only collects it.
/// </summary>
public sealed class RateLimiter(IStateStore store, TimeProvider time, ChallengeMetrics metrics)
{
    /// <summary>
    /// Counts one use of <paramref name="rule"/> by <paramref name="subject"/>; returns a 429 error when this use is over
    /// <paramref name="limit"/> within <paramref name="window"/>, with the seconds until the window ends.
    /// </summary>
    public async Task<ApiError?> HitAsync(string tenantId, string rule, string subject, int limit, TimeSpan window)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var size = (long)window.TotalMilliseconds;
        var number = now / size;
        var count = await store.IncrementAsync(StoreKeys.RateWindow(tenantId, rule, subject, number), window + TimeSpan.FromMinutes(1));
        if (count <= limit)
        {
            return null;
        }
        metrics.Refused(rule);
        var retryAfter = (int)Math.Ceiling(((number + 1) * size - now) / 1000.0);
        return ApiError.TooManyRequests(retryAfter);
    }

    /// <summary>Counts one use against several rules at once (issued together: one round trip); the first limit hit wins.</summary>
    public async Task<ApiError?> HitAllAsync(string tenantId, params (string Rule, string Subject, int Limit, TimeSpan Window)[] rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var results = await Task.WhenAll(rules.Select(r => HitAsync(tenantId, r.Rule, r.Subject, r.Limit, r.Window)));
        return results.FirstOrDefault(r => r is not null);
    }
}
