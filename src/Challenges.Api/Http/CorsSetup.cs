using Challenges.Api.Tenants;
using Microsoft.AspNetCore.Cors.Infrastructure;

namespace Challenges.Api.Http;

/// <summary>CORS for the Client API: the union of every tenant's <c>AllowedOrigins</c>.</summary>
public static class CorsSetup
{
    public const string ClientPolicy = "client";

    public static IServiceCollection AddClientCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<TenantRegistry>((options, tenants) =>
        {
            var origins = tenants.All.SelectMany(t => t.Options.AllowedOrigins).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            options.AddPolicy(ClientPolicy, policy => policy.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod()
                .WithExposedHeaders("Retry-After").SetPreflightMaxAge(TimeSpan.FromHours(1)));
        });
        return services;
    }
}
