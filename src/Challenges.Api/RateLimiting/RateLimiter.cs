using Challenges.Api.Http;
using Challenges.Api.Observability;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;

namespace Challenges.Api.RateLimiting;

/// <summary>
/// Fixed-window counters in the store, so a limit holds across every server process. A window is numbered from the
/// Unix epoch by <see cref="TimeProvider"/> (so a test's clock moves it); the key's time to live only collects it.
/// A refused request consumes nothing: every count it made is taken back, so hammering a limit does not keep it shut.
/// </summary>
public sealed class RateLimiter(IStateStore store, TimeProvider time, ChallengeMetrics metrics)
{
    /// <summary>Counts one use of <paramref name="rule"/> by <paramref name="subject"/>; a 429 error when it is over the tenant's limit.</summary>
    public Task<ApiError?> HitAsync(Tenant tenant, RateRule rule, string subject) => HitAllAsync(tenant, (rule, subject));

    /// <summary>
    /// Counts one use against several rules at once (issued together: one round trip). When any rule is over its
    /// limit, every count is taken back and the first refusal is returned, with the seconds until its window ends.
    /// </summary>
    public async Task<ApiError?> HitAllAsync(Tenant tenant, params (RateRule Rule, string Subject)[] hits)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(hits);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var counted = hits.Select(hit =>
        {
            var window = hit.Rule.Window(tenant.Limits);
            var size = (long)window.TotalMilliseconds;
            var number = now / size;
            var subject = hit.Rule.ByAddress ? ClientAddress.Network(hit.Subject) : hit.Subject;
            var key = StoreKeys.RateWindow(tenant.Id, hit.Rule.Name, subject, number);
            return (Key: key, Rule: hit.Rule.Name, Limit: hit.Rule.Limit(tenant.Limits), End: (number + 1) * size,
                Count: store.IncrementAsync(key, window + TimeSpan.FromMinutes(1)));
        }).ToList();
        await Task.WhenAll(counted.Select(c => c.Count));
        var refused = counted.FirstOrDefault(c => c.Count.Result > c.Limit);
        if (refused.Key is null)
        {
            return null;
        }
        metrics.Refused(refused.Rule);
        await Task.WhenAll(counted.Select(c => store.DecrementAsync(c.Key)));
        return ApiError.TooManyRequests((int)Math.Ceiling((refused.End - now) / 1000.0));
    }
}
