namespace Challenges.Api.Delivery;

/// <summary>Outbound delivery: the signed webhook client (more channels register here).</summary>
public static class DeliverySetup
{
    public static IServiceCollection AddDelivery(this IServiceCollection services)
    {
        services.AddHttpClient(WebhookClient.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        services.AddSingleton<WebhookClient>();
        return services;
    }
}
