using Challenges.Api.Observability;
using Challenges.Api.PushDelivery;
using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>
/// The push delivery services as the server registers them (<c>AddPushDelivery</c>), bound to settings, with the
/// tests' clock; tenants configured with a fake service's credentials.
/// </summary>
public sealed class PushKit : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public PushKit(WatchedClock clock, Dictionary<string, string?> settings)
    {
        Clock = clock;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging(logging => logging.AddProvider(new TestLogSink()).SetMinimumLevel(LogLevel.Debug));
        services.AddMetrics();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<ChallengeMetrics>();
        services.AddPushDelivery();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public WatchedClock Clock { get; }
    public IPushDelivery Delivery => _services.GetRequiredService<IPushDelivery>();
    public DirectPushDelivery Direct => _services.GetRequiredService<DirectPushDelivery>();
    public PushProviderRegistry Registry => _services.GetRequiredService<PushProviderRegistry>();

    /// <summary>The services at a fake APNs (HTTP/2 without TLS) and a fake FCM.</summary>
    public static PushKit For(WatchedClock clock, ApnsFake? apns = null, FcmFake? fcm = null, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Push:Apns:BaseUrl"] = apns?.BaseUrl.ToString(),
            ["Push:Fcm:BaseUrl"] = fcm?.BaseUrl.ToString(),
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return new PushKit(clock, settings);
    }

    /// <summary>A tenant with the fakes' credentials (APNs key, FCM service account) where given.</summary>
    public static Tenant Tenant(ApnsFake? apns = null, FcmFake? fcm = null, string id = "push-tenant", Action<TenantOptions>? configure = null)
    {
        var options = new TenantOptions { Id = id };
        options.SecretKeys.Add(TestTenants.AKey);
        if (apns is not null)
        {
            options.Push.Apns = new ApnsOptions
            {
                TeamId = ApnsFake.TeamId, KeyId = ApnsFake.KeyId, PrivateKey = apns.PrivateKeyPem, Topic = ApnsFake.Topic, Environment = "sandbox",
            };
        }
        if (fcm is not null)
        {
            options.Push.Fcm = new FcmOptions { ServiceAccount = fcm.ServiceAccountJson };
        }
        configure?.Invoke(options);
        return new Tenant(options);
    }

    /// <summary>A notification for a new challenge that expires <paramref name="lifetime"/> from now (5 minutes by default).</summary>
    public PushMessage Message(Tenant tenant, string actionCode = "signIn", TimeSpan? lifetime = null, string? locale = null) =>
        PushMessage.For(tenant, Guid.NewGuid().ToString(), actionCode, locale, Clock.GetUtcNow() + (lifetime ?? TimeSpan.FromMinutes(5)));

    /// <summary>Sends, moving the clock past every back-off delay the send waits on; returns the result and those delays.</summary>
    public async Task<(PushDeliveryResult Result, IReadOnlyList<TimeSpan> Delays)> SendThroughDelaysAsync(Tenant tenant, PushMessage message, PushTarget device)
    {
        // The send first starts one timer for the challenge's expiry: every timer after that is a delay. (Counted before
        // the send starts: an answer can come back and start a delay before this thread reads the count.)
        var before = Clock.Timers.Count;
        var sending = Delivery.SendAsync(tenant, message, device, CancellationToken.None);
        var delays = await Clock.RunThroughDelaysAsync(sending, before + 1);
        return (await sending, delays);
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
