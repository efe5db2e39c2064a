using Challenges.Api.Http;
using Challenges.Api.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

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

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(AuthSchemes.SecretKey, null)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(AuthSchemes.TenantBasic, null)
            .AddJwtBearer(AuthSchemes.Bearer, options =>
            {
                options.MapInboundClaims = false;
                options.Events = new JwtBearerEvents
                {
                    OnTokenValidated = OnTokenValidated,
                    OnChallenge = OnChallenge,
                    OnForbidden = context => context.Response.HasStarted
                        ? Task.CompletedTask
                        : ErrorWriter.WriteAsync(context.HttpContext, ApiError.Forbidden("Access denied.")),
                };
            });
        services.AddOptions<JwtBearerOptions>(AuthSchemes.Bearer)
            .Configure<TokenService>((options, tokens) => options.TokenValidationParameters = tokens.ValidationParameters);

        services.AddAuthorizationBuilder()
            .AddPolicy(AuthSchemes.ServerPolicy, p => p.AddAuthenticationSchemes(AuthSchemes.SecretKey).RequireAuthenticatedUser())
            .AddPolicy(AuthSchemes.ClientPolicy, p => p.AddAuthenticationSchemes(AuthSchemes.Bearer).RequireAuthenticatedUser())
            .AddPolicy(AuthSchemes.DevicePolicy, p => p.AddAuthenticationSchemes(AuthSchemes.TenantBasic).RequireAuthenticatedUser())
            .AddPolicy(AuthSchemes.ClientOrTenantPolicy,
                p => p.AddAuthenticationSchemes(AuthSchemes.Bearer, AuthSchemes.TenantBasic).RequireAuthenticatedUser());
        return services;
    }

    private static Task OnTokenValidated(TokenValidatedContext context)
    {
        var tenants = context.HttpContext.RequestServices.GetRequiredService<TenantRegistry>();
        if (context.SecurityToken is not JsonWebToken jwt || TokenService.Read(jwt) is not { } token ||
            tenants.FindById(token.TenantId) is not { } tenant)
        {
            context.Fail("The token does not name a known tenant.");
            return Task.CompletedTask;
        }
        Caller.Set(context.HttpContext, new Caller(tenant, token));
        return Task.CompletedTask;
    }

    private static Task OnChallenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }
        var error = context.AuthenticateFailure is SecurityTokenExpiredException
            ? new ApiError(ErrorCodes.ExpiredToken, "The token has expired.")
            : ApiError.Unauthorized(context.AuthenticateFailure is null
                ? "A Bearer token is required."
                : "The token is not valid.");
        return ErrorWriter.WriteAsync(context.HttpContext, error);
    }
}
