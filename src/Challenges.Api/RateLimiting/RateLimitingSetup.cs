namespace Challenges.Api.RateLimiting;

public static class RateLimitingSetup
{
    public static IServiceCollection AddRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<RateCounter>();
        services.AddSingleton<ClientAddress>();
        return services;
    }
}
