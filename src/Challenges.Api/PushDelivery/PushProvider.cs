using System.Collections.Concurrent;
using Challenges.Api.Tenants;

namespace Challenges.Api.PushDelivery;

/// <summary>
/// What APNs and FCM share: each tenant's account (key or service account, with its cached token) is opened from the
/// tenant's settings on its first send and kept for the life of the process; the settings were checked at start.
/// </summary>
public abstract class PushProvider<TAccount>(string name) : IPushProvider where TAccount : class
{
    private readonly ConcurrentDictionary<string, Lazy<TAccount>> _accounts = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public abstract PushServiceOptions Service { get; }

    public bool Serves(Tenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return Configured(tenant.Options.Push);
    }

    public abstract Task<PushSendResult> SendAsync(Tenant tenant, PushMessage message, string deviceToken, CancellationToken cancellationToken);

    /// <summary>Whether the tenant's push settings hold credentials for this service.</summary>
    protected abstract bool Configured(PushOptions push);

    /// <summary>Reads the tenant's credentials; throws <see cref="InvalidOperationException"/> when they cannot be used.</summary>
    protected abstract TAccount Open(PushOptions push);

    protected TAccount AccountOf(Tenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return _accounts.GetOrAdd(tenant.Id, _ => new Lazy<TAccount>(() => Open(tenant.Options.Push))).Value;
    }

    /// <summary>A failure to get an answer at all (refused connection, timeout), as opposed to the caller giving up.</summary>
    protected static bool NoAnswer(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested;
}
