namespace Challenges.Api.Delivery;

/// <summary>Outbound delivery: the signed webhook client, the lifecycle event outbox worker, message providers.</summary>
public static class DeliverySetup
{
    public static IServiceCollection AddDelivery(this IServiceCollection services)
    {
        services.AddHttpClient(WebhookClient.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5)).WithoutRedirects();
        services.AddSingleton<WebhookClient>();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section)
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.FirstDelay > TimeSpan.Zero && o.MaxDelay >= o.FirstDelay && o.Lease > TimeSpan.FromSeconds(1),
                "Outbox__PollInterval, __FirstDelay and __Lease must be positive and Outbox__MaxDelay at least Outbox__FirstDelay.")
            .ValidateOnStart();
        services.AddHostedService<OutboxWorker>();
        return services;
    }

    /// <summary>
    /// Outbound calls never follow a redirect: a webhook or provider answering 3xx would otherwise make this server
    /// re-send a signed body, codes included, wherever it points (an internal address, say). A 3xx is a failed call.
    /// </summary>
    public static IHttpClientBuilder WithoutRedirects(this IHttpClientBuilder builder) =>
        builder.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
}
