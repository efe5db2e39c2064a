using System.Security.Cryptography;
using Challenges.Api.Sessions;
using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Sessions;

/// <summary>Session settings that would misbehave keep the server from starting, with a message naming the key.</summary>
public sealed class SessionConfigurationTests
{
    private static TenantsOptions With(params Action<SessionOptions>[] tenants)
    {
        var options = new TenantsOptions();
        for (var i = 0; i < tenants.Length; i++)
        {
            var tenant = new TenantOptions { Id = $"t{i}" };
            tenants[i](tenant.Sessions);
            options.Tenants.Add(tenant);
        }
        return options;
    }

    private static string Failures(TenantsOptions options)
    {
        var result = new SessionOptionsValidator().Validate(null, options);
        Assert.True(result.Failed, "the settings were accepted");
        return result.FailureMessage;
    }

    [Fact]
    public void Good_settings_pass()
    {
        using var rsa = RSA.Create(2048);
        using var verifyOnly = RSA.Create(2048);
        var result = new SessionOptionsValidator().Validate(null, With(s =>
        {
            s.Clients.Add(new SessionClientOptions { Id = "web" });
            s.Clients.Add(new SessionClientOptions { Id = "ios", AccessTokenLifetime = TimeSpan.FromMinutes(5), RefreshTokenLifetime = TimeSpan.FromDays(90) });
            s.SigningKeys.Add(rsa.ExportPkcs8PrivateKeyPem());
            s.SigningKeys.Add(verifyOnly.ExportSubjectPublicKeyInfoPem());
        }));
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Bad_clients_and_caps_are_named()
    {
        var failures = Failures(With(s =>
        {
            s.Clients.Add(new SessionClientOptions { Id = "web", AccessTokenLifetime = TimeSpan.Zero });
            s.Clients.Add(new SessionClientOptions { Id = "web", RefreshTokenLifetime = TimeSpan.FromMinutes(1) });
            s.Clients.Add(new SessionClientOptions { Id = "" });
            s.MaxSessionsPerUser = 0;
        }));

        Assert.Contains("Tenants__0__Sessions__Clients__0__AccessTokenLifetime must be positive", failures, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Sessions__Clients__1__Id 'web' names two app clients", failures, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Sessions__Clients__1__RefreshTokenLifetime must be at least the AccessTokenLifetime", failures, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Sessions__Clients__2__Id must be 1 to 256 characters", failures, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Sessions__MaxSessionsPerUser must be between 1 and 1000", failures, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_signing_keys_are_named()
    {
        using var shared = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var failures = Failures(With(
            s => s.SigningKeys.Add(shared.ExportPkcs8PrivateKeyPem()),
            s => s.SigningKeys.Add(other.ExportSubjectPublicKeyInfoPem()),
            s => s.SigningKeys.Add("/no/such/key.pem"),
            s =>
            {
                s.SigningKeys.Add(other.ExportPkcs8PrivateKeyPem());
                s.SigningKeys.Add(shared.ExportSubjectPublicKeyInfoPem());
            }));

        Assert.Contains("Tenants__1__Sessions__SigningKeys__0 must be a private key", failures, StringComparison.Ordinal);
        Assert.Contains("Tenants__2__Sessions__SigningKeys__0 is neither PEM text nor the path of a readable PEM file", failures, StringComparison.Ordinal);
        Assert.Contains("Tenants__3__Sessions__SigningKeys__1 is the same key as Tenants__0__Sessions__SigningKeys__0", failures, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_refuses_to_start_with_a_signing_key_it_cannot_use()
    {
        var output = await ServerProcess.RefusalAsync(Reliability.ProcessSettings.For("", new Uri("http://127.0.0.1:1/"),
            ("Tenants:0:Sessions:SigningKeys:0", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----")));
        Assert.Contains("Tenants__0__Sessions__SigningKeys__0 holds no RSA key in PEM", output, StringComparison.Ordinal);
    }
}
