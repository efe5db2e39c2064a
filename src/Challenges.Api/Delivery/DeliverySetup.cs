namespace Challenges.Api.Delivery;

/// <summary>Outbound delivery: the signed webhook client, the lifecycle event outbox worker, message providers.</summary>
public static class DeliverySetup
{
    public static IServiceCollection AddDelivery(this IServiceCollection services)
    {
        services.AddHttpClient(WebhookClient.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        services.AddSingleton<WebhookClient>();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section)
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.FirstDelay > TimeSpan.Zero && o.MaxDelay >= o.FirstDelay && o.Lease > TimeSpan.FromSeconds(1),
                "Outbox__PollInterval, __FirstDelay and __Lease must be positive and Outbox__MaxDelay at least Outbox__FirstDelay.")
            .ValidateOnStart();
        services.AddHostedService<OutboxWorker>();
        return services;
    }
}
