using Challenges.Api.Tenants;
using Microsoft.Extensions.Options;

namespace Challenges.Api.PushDelivery;

/// <summary>Direct push delivery: APNs and FCM clients, the provider registry and the delivery with its retry policy.</summary>
public static class PushDeliverySetup
{
    public static IServiceCollection AddPushDelivery(this IServiceCollection services)
    {
        services.AddOptions<PushProvidersOptions>().BindConfiguration(PushProvidersOptions.Section).ValidateOnStart();
        services.AddSingleton<PushConfigurationValidator>();
        services.AddSingleton<IValidateOptions<PushProvidersOptions>>(provider => provider.GetRequiredService<PushConfigurationValidator>());
        services.AddSingleton<IValidateOptions<TenantsOptions>>(provider => provider.GetRequiredService<PushConfigurationValidator>());

        services.AddPushClient(ApnsProvider.HttpClientName, o => o.Apns);
        services.AddPushClient(FcmProvider.HttpClientName, o => o.Fcm);
        services.AddPushClient(FcmProvider.TokenHttpClientName, o => o.Fcm);
        services.AddSingleton<ApnsProvider>();
        services.AddSingleton<FcmProvider>();
        services.AddSingleton<PushProviderRegistry>();
        services.AddSingleton<DirectPushDelivery>();
        services.AddSingleton<IPushDelivery>(provider => provider.GetRequiredService<DirectPushDelivery>());
        return services;
    }
}
