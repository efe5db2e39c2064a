using Challenges.Api.Tenants;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Tests.Http;

/// <summary>Secret-key lookup on its own: every configured key finds its tenant, nothing else finds any.</summary>
public sealed class TenantRegistryTests
{
    private const string KeyA = "registry-secret-key-tenant-a-0123456789abcdef";
    private const string KeyARotated = "registry-secret-key-tenant-a-rotated-0123456789";
    private const string KeyB = "registry-secret-key-tenant-b-ünïcødé-0123456789";

    private static readonly TenantRegistry Registry = new(Options.Create(Tenants()));

    private static TenantsOptions Tenants()
    {
        var a = new TenantOptions { Id = "a" };
        a.SecretKeys.Add(KeyA);
        a.SecretKeys.Add(KeyARotated);
        var b = new TenantOptions { Id = "b" };
        b.SecretKeys.Add(KeyB);
        var options = new TenantsOptions();
        options.Tenants.Add(a);
        options.Tenants.Add(b);
        return options;
    }

    [Fact]
    public void Each_configured_key_finds_its_tenant_during_a_rotation_too()
    {
        Assert.Equal("a", Registry.FindBySecretKey(KeyA)?.Id);
        Assert.Equal("a", Registry.FindBySecretKey(KeyARotated)?.Id);
        Assert.Equal("b", Registry.FindBySecretKey(KeyB)?.Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("b")]
    [InlineData("registry-secret-key-tenant-a-0123456789abcde")]
    [InlineData("registry-secret-key-tenant-a-0123456789abcdef ")]
    [InlineData("REGISTRY-SECRET-KEY-TENANT-A-0123456789ABCDEF")]
    [InlineData("registry-secret-key-tenant-b-unicode-0123456789")]
    public void Near_misses_and_tenant_ids_find_no_tenant(string? presented)
    {
        Assert.Null(Registry.FindBySecretKey(presented));
    }

    [Fact]
    public void A_very_long_or_malformed_credential_finds_no_tenant()
    {
        Assert.Null(Registry.FindBySecretKey(new string('k', 100_000)));
        Assert.Null(Registry.FindBySecretKey(KeyA + new string('k', 2000)));
        // A lone surrogate cannot be the key, whatever its UTF-8 replacement looks like.
        Assert.Null(Registry.FindBySecretKey(KeyA[..^1] + "\ud800"));
    }
}
