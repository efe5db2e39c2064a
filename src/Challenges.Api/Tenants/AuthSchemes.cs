namespace Challenges.Api.Tenants;

/// <summary>Authentication schemes and the policies built on them (docs/contract.md §1.2).</summary>
public static class AuthSchemes
{
    /// <summary>Server API: Basic with a tenant secret key.</summary>
    public const string SecretKey = "SecretKey";

    /// <summary>Device API and token-less web calls: Basic with the tenant id.</summary>
    public const string TenantBasic = "TenantBasic";

    /// <summary>Client API: a client token.</summary>
    public const string Bearer = "Bearer";

    public const string ServerPolicy = "server";
    public const string ClientPolicy = "client";
    public const string DevicePolicy = "device";
    public const string ClientOrTenantPolicy = "client-or-tenant";
}
