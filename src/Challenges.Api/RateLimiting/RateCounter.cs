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
public sealed class RateCounter(IStateStore store, TimeProvider time, ChallengeMetrics metrics)
{
    /// <summary>Counts one use of <paramref name="rule"/> by <paramref name="subject"/>; a 429 error when it is over the tenant's limit.</summary>
    public Task<ApiError?> HitAsync(Tenant tenant, RateRule rule, string subject) => HitAllAsync(tenant, (rule, subject));

    /// <summary>
    /// Counts one use against several rules at once (issued together: one round trip). When any rule is over its
    /// limit, every count is taken back and the first refusal is returned, with the seconds until its window ends.
    /// </summary>
    public async Task<ApiError?> HitAllAsync(Tenant tenant, params (RateRule Rule, string Subject)[] hits) =>
        (await CountAsync(tenant, hits)).Refusal;

    /// <summary>
    /// Counts one use against each rule, as <see cref="HitAllAsync"/> does, and keeps the counts so that a request that
    /// counted before knowing whether it would go ahead (to save a round trip) can take them back when it does not.
    /// </summary>
    public async Task<Counted> CountAsync(Tenant tenant, params (RateRule Rule, string Subject)[] hits)
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
            var key = $"r:{HashTags.Own(tenant.Id, $"{hit.Rule.Name}:{HashTags.Escape(subject)}")}:{number}";
            return (Key: key, Rule: hit.Rule.Name, Limit: hit.Rule.Limit(tenant.Limits), End: (number + 1) * size,
                Count: store.IncrementAsync(key, window + TimeSpan.FromMinutes(1)));
        }).ToList();
        await Task.WhenAll(counted.Select(c => c.Count));
        var keys = counted.Select(c => c.Key).ToList();
        var refused = counted.FirstOrDefault(c => c.Count.Result > c.Limit);
        if (refused.Key is null)
        {
            return new Counted(null, () => Refund(keys));
        }
        metrics.Refused(refused.Rule);
        await Refund(keys);
        return new Counted(ApiError.TooManyRequests((int)Math.Ceiling((refused.End - now) / 1000.0)), () => Task.CompletedTask);
    }

    private Task Refund(IEnumerable<string> keys) => Task.WhenAll(keys.Select(store.DecrementAsync));

    /// <summary>
    /// A per-user rule counted in the user's own slot, so that counting one use can be part of the atomic write of
    /// what it limits (and happens only if that write does). <see cref="InSlotCount.Write"/> counts the use on
    /// condition that the limit still allows it.
    /// </summary>
    public async Task<InSlotCount> ReadInUserSlotAsync(Tenant tenant, RateRule rule, string userId)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(rule);
        var window = rule.Window(tenant.Limits);
        var number = time.GetUtcNow().ToUnixTimeMilliseconds() / (long)window.TotalMilliseconds;
        var key = $"u:{HashTags.User(tenant.Id, userId)}:r:{rule.Name}:{number}";
        var limit = rule.Limit(tenant.Limits);
        var count = long.Parse(await store.GetAsync(key) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        if (count >= limit)
        {
            metrics.Refused(rule.Name);
        }
        return new InSlotCount(count < limit, new StoreWrite([StateChange.CountUnder(key, limit, window + TimeSpan.FromMinutes(1))]));
    }
}

