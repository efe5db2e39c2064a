using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Tests.Http;

public sealed class ConfigurationTests
{
    private static TenantsOptions Tenants(params TenantOptions[] tenants)
    {
        var options = new TenantsOptions();
        foreach (var t in tenants)
        {
            options.Tenants.Add(t);
        }
        return options;
    }

    private static TenantOptions Tenant(string id, params string[] keys)
    {
        var t = new TenantOptions { Id = id };
        foreach (var k in keys)
        {
            t.SecretKeys.Add(k);
        }
        return t;
    }

    [Fact]
    public void A_valid_tenant_list_passes()
    {
        Assert.True(new TenantsOptionsValidator().Validate(null, Tenants(Tenant("a", TestTenants.AKey))).Succeeded);
    }

    [Theory]
    [InlineData("", TestTenants.AKey, "Tenants__0__Id")]
    [InlineData("a", "short", "Tenants__0__SecretKeys__0 must be at least 32")]
    public void A_bad_tenant_names_the_key(string id, string key, string expected)
    {
        var result = new TenantsOptionsValidator().Validate(null, Tenants(Tenant(id, key)));
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_ids_keys_and_unknown_providers_are_refused()
    {
        var second = Tenant("a", TestTenants.AKey);
        second.Delivery.Sms = "Pigeon";
        var result = new TenantsOptionsValidator().Validate(null, Tenants(Tenant("a", TestTenants.AKey), second));
        Assert.Contains("Tenants__1__Id 'a' is used by two tenants", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Tenants__1__SecretKeys__0 is used twice", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Tenants__1__Delivery__Sms must be one of", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Allowed_origins_must_be_exact_web_origins_never_a_wildcard()
    {
        var tenant = Tenant("a", TestTenants.AKey);
        foreach (var origin in new[] { "https://app.example", "http://localhost:3000/", "*", "https://*.example.com", "https://app.example/login", "app.example", "ftp://app.example" })
        {
            tenant.AllowedOrigins.Add(origin);
        }
        var failures = new TenantsOptionsValidator().Validate(null, Tenants(tenant)).FailureMessage;
        Assert.DoesNotContain("AllowedOrigins__0", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("AllowedOrigins__1", failures, StringComparison.Ordinal);
        for (var k = 2; k < tenant.AllowedOrigins.Count; k++)
        {
            Assert.Contains($"Tenants__0__AllowedOrigins__{k} '{tenant.AllowedOrigins[k]}' must be a web origin", failures, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_server_refuses_to_start_with_a_bad_tenant()
    {
        var output = await ServerProcess.RefusalAsync(Reliability.ProcessSettings.For("", new Uri("http://127.0.0.1:1/"),
            ("Tenants:0:SecretKeys:0", "too-short")));
        Assert.Contains("Tenants__0__SecretKeys__0 must be at least 32 characters", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_refuses_to_start_outside_development_without_a_signing_key()
    {
        var output = await ServerProcess.RefusalAsync(Reliability.ProcessSettings.For("", new Uri("http://127.0.0.1:1/"),
            ("Tokens:SigningKey", "")));
        Assert.Contains("Tokens__SigningKey is required outside Development", output, StringComparison.Ordinal);
    }
}
