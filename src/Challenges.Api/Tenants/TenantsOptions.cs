namespace Challenges.Api.Tenants;

/// <summary>The <c>Tenants</c> configuration section: a list of tenants.</summary>
public sealed class TenantsOptions
{
    public const string Section = "Tenants";

    public IList<TenantOptions> Tenants { get; } = [];
}
