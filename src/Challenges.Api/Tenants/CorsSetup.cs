using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Challenges.Api.Tenants;

/// <summary>CORS for the Client API, per tenant: an origin is granted only on the calls of the tenant that lists it.</summary>
public static class CorsSetup
{
    public const string ClientPolicy = "client";

    public static IServiceCollection AddClientCors(this IServiceCollection services)
    {
        services.AddCors();
        services.RemoveAll<ICorsPolicyProvider>();
        services.AddSingleton<ICorsPolicyProvider, TenantCorsPolicyProvider>();
        return services;
    }
}

/// <summary>
/// The Client API's CORS policy for one request. A preflight carries no credentials, so it may be granted for any
/// tenant's origin: it only lets the browser send. The response to the request itself grants the origin only when it
/// is one of the <c>AllowedOrigins</c> of the tenant its credentials name (client token or tenant Basic), so tenant
/// B's pages cannot read the answers to tenant A's calls. An unreadable or forged credential names a tenant but earns
/// only that tenant's own origins, on a 401.
/// <para>
/// Granted origins may also send credentials (the browser SDK's <c>useCookies</c> calls use
/// <c>credentials: "include"</c>): the origin is echoed exactly, never <c>*</c>, with
/// <c>Access-Control-Allow-Credentials: true</c>. The server authenticates by the <c>Authorization</c> header alone and
/// sets no cookie, so a cookie the browser sends along grants nothing.
/// </para>
/// </summary>
public sealed class TenantCorsPolicyProvider : ICorsPolicyProvider
{
    private static readonly CorsPolicy NoOrigin = new CorsPolicyBuilder().Build();
    private readonly TenantRegistry _tenants;
    private readonly CorsPolicy _preflight;
    private readonly Dictionary<string, CorsPolicy> _byTenant;

    public TenantCorsPolicyProvider(TenantRegistry tenants)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        _tenants = tenants;
        _preflight = Policy(tenants.All.SelectMany(Origins));
        _byTenant = tenants.All.ToDictionary(t => t.Id, t => Policy(Origins(t)), StringComparer.Ordinal);
    }

    /// <summary>A tenant's <c>AllowedOrigins</c> and the web origins its passkeys are used from.</summary>
    private static IEnumerable<string> Origins(Tenant tenant) =>
        tenant.Options.AllowedOrigins.Concat(tenant.Allows(VerificationMethods.Passkey) || tenant.Allows(VerificationMethods.SecurityKey)
            ? tenant.Options.Passkeys.WebOrigins()
            : []);

    private static CorsPolicy Policy(IEnumerable<string> origins) =>
        new CorsPolicyBuilder().WithOrigins(origins.Select(o => o.TrimEnd('/')).Distinct(StringComparer.OrdinalIgnoreCase).ToArray())
            .AllowAnyHeader().AllowAnyMethod().AllowCredentials()
            .WithExposedHeaders("Retry-After").SetPreflightMaxAge(TimeSpan.FromHours(1)).Build();

    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey("Access-Control-Request-Method"))
        {
            return Task.FromResult<CorsPolicy?>(_preflight);
        }
        var tenant = TenantOf(request.Headers.Authorization.ToString());
        return Task.FromResult<CorsPolicy?>(tenant is not null && _byTenant.TryGetValue(tenant.Id, out var policy) ? policy : NoOrigin);
    }

    /// <summary>The tenant a Bearer token or tenant Basic credential names (authentication judges it afterwards).</summary>
    private Tenant? TenantOf(string authorization)
    {
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return _tenants.FindById(Tokens.TokenService.TenantNamedBy(authorization[7..].Trim()));
        }
        return _tenants.FindById(BasicCredentials.Decode(authorization));
    }
}
