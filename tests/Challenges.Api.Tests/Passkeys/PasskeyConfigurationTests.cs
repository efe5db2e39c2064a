using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Passkeys;

/// <summary>A tenant that allows passkeys or security keys needs a usable relying party, or the server does not start.</summary>
public sealed class PasskeyConfigurationTests
{
    private static TenantsOptions Tenant(string method, Action<PasskeyOptions> configure)
    {
        var tenant = new TenantOptions { Id = "t0" };
        tenant.SecretKeys.Add(new string('k', TenantsOptionsValidator.MinSecretKeyLength));
        tenant.VerificationMethods.Add("SMS");
        tenant.VerificationMethods.Add(method);
        configure(tenant.Passkeys);
        var options = new TenantsOptions();
        options.Tenants.Add(tenant);
        return options;
    }

    [Fact]
    public void A_relying_party_on_its_RP_ID_with_web_local_and_Android_origins_passes()
    {
        var result = new TenantsOptionsValidator().Validate(null, Tenant("PASSKEY", p =>
        {
            p.RpId = "example.com";
            p.RpName = "Example";
            p.Origins.Add("https://example.com");
            p.Origins.Add("https://app.example.com:8443");
            p.Origins.Add(PasskeyKit.AndroidOrigin);
        }));
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("PASSKEY")]
    [InlineData("SECURITY_KEY")]
    public void A_tenant_that_allows_WebAuthn_without_a_relying_party_is_refused(string method)
    {
        var result = new TenantsOptionsValidator().Validate(null, Tenant(method, _ => { }));
        Assert.True(result.Failed);
        Assert.Contains("Tenants__0__Passkeys__RpId must be a domain name", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Origins_off_the_RP_ID_plain_http_elsewhere_than_localhost_and_paths_are_named()
    {
        var result = new TenantsOptionsValidator().Validate(null, Tenant("PASSKEY", p =>
        {
            p.RpId = "example.com";
            p.Origins.Add("https://evil.com");
            p.Origins.Add("http://app.example.com");
            p.Origins.Add("https://example.com/login");
            p.Origins.Add("android:apk-key-hash:short");
            p.ChallengeLifetime = TimeSpan.Zero;
        }));
        var failures = result.FailureMessage;
        Assert.Contains("Tenants__0__Passkeys__RpName must be set", failures, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Passkeys__Origins__0 'https://evil.com' is not on the RP ID example.com", failures, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Passkeys__Origins__1 'http://app.example.com' must be https", failures, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Passkeys__Origins__2 'https://example.com/login' must be an origin", failures, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Passkeys__Origins__3", failures, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Passkeys__ChallengeLifetime must be positive", failures, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_real_process_refuses_to_start_with_PASSKEY_and_no_relying_party()
    {
        var settings = TestTenants.Configuration(new Uri("http://127.0.0.1:9/"));
        settings["Redis:Configuration"] = "memory";
        settings["Tenants:0:VerificationMethods:0"] = "PASSKEY";

        var output = await ServerProcess.RefusalAsync(settings);

        Assert.Contains("Tenants__0__Passkeys__RpId", output, StringComparison.Ordinal);
    }
}
