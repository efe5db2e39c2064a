using Challenges.Api.Tokens;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Tenants;

/// <summary>Tenants, tokens and the three authentication schemes with their policies.</summary>
public static class AuthenticationSetup
{
    public static IServiceCollection AddTenantsAndTokens(this IServiceCollection services)
    {
        services.AddOptions<TenantsOptions>()
            .Configure<IConfiguration, IHostEnvironment>((options, configuration, environment) =>
            {
                foreach (var child in configuration.GetSection(TenantsOptions.Section).GetChildren())
                {
                    var tenant = new TenantOptions();
                    child.Bind(tenant);
                    options.Tenants.Add(tenant);
                }
                if (options.Tenants.Count == 0 && environment.IsDevelopment())
                {
                    options.Tenants.Add(DemoTenant.Options());
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TenantsOptions>, TenantsOptionsValidator>();
        services.AddSingleton<TenantRegistry>();
        services.AddClientCors();

        services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TokenOptions>, TokenOptionsValidator>();
        services.AddSingleton<SigningKeyProvider>();
        services.AddSingleton<TokenService>();

        services.AddTransient<BasicAuthenticationHandler>();
        services.AddTransient<BearerAuthenticationHandler>();
        services.AddAuthentication(options =>
        {
            options.AddScheme<BasicAuthenticationHandler>(AuthSchemes.SecretKey, null);
            options.AddScheme<BasicAuthenticationHandler>(AuthSchemes.TenantBasic, null);
            options.AddScheme<BearerAuthenticationHandler>(AuthSchemes.Bearer, null);
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(AuthSchemes.ServerPolicy, p => p.AddAuthenticationSchemes(AuthSchemes.SecretKey).RequireAuthenticatedUser())
            .AddPolicy(AuthSchemes.ClientPolicy, p => p.AddAuthenticationSchemes(AuthSchemes.Bearer).RequireAuthenticatedUser())
            .AddPolicy(AuthSchemes.DevicePolicy, p => p.AddAuthenticationSchemes(AuthSchemes.TenantBasic).RequireAuthenticatedUser())
            .AddPolicy(AuthSchemes.ClientOrTenantPolicy,
                p => p.AddAuthenticationSchemes(AuthSchemes.Bearer, AuthSchemes.TenantBasic).RequireAuthenticatedUser());
        return services;
    }
}
