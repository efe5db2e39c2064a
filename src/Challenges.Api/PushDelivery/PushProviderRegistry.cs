using Challenges.Api.Tenants;

namespace Challenges.Api.PushDelivery;

/// <summary>
/// Picks the push service for a device. Android devices are reached through FCM. An iOS device registers either an
/// APNs device token (hex digits) or, when its app uses Firebase, an FCM token: the token's shape decides, and it
/// decides for a device whose platform is unknown too. When the tenant has no credentials for that service there is
/// no provider (rather than a send the other service would refuse, costing the device its token).
/// </summary>
public sealed class PushProviderRegistry(ApnsProvider apns, FcmProvider fcm)
{
    public IReadOnlyList<IPushProvider> All { get; } = [apns, fcm];

    public IPushProvider? For(Tenant tenant, string? platform, string deviceToken)
    {
        var android = string.Equals(platform, "android", StringComparison.OrdinalIgnoreCase);
        IPushProvider service = !android && ApnsProvider.IsDeviceToken(deviceToken) ? apns : fcm;
        return service.Serves(tenant) ? service : null;
    }
}
