namespace Challenges.Api.RateLimiting;

public static class RateLimitingSetup
{
    public static IServiceCollection AddRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<ClientAddress>();
        return services;
    }
}
