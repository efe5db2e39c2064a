namespace Challenges.Api.Tenants;

/// <summary>
/// The tenant of a Development run with no tenant configured, so that a newcomer can try every flow with curl: codes
/// are written to the console (<c>Log</c> delivery). It applies only when no tenant is configured, so it never merges
/// into a real one, and its secret key is a documented development default, the only key ever printed.
/// </summary>
public static class DemoTenant
{
    public const string Id = "demo";

    /// <summary>Development default, public by design; never a key of a real tenant.</summary>
    public const string SecretKey = "dev_secret_key_for_local_trials_only_0123456789";

    public static TenantOptions Options()
    {
        var tenant = new TenantOptions
        {
            Id = Id,
            Delivery = new DeliveryChoice { Sms = DeliveryProviders.Log, WhatsApp = DeliveryProviders.Log, Email = DeliveryProviders.Log },
        };
        tenant.SecretKeys.Add(SecretKey);
        tenant.AllowedOrigins.Add("http://localhost:3000");
        tenant.AllowedOrigins.Add("http://localhost:5173");
        tenant.Sessions.Clients.Add(new SessionClientOptions { Id = "demo-web" });
        // Passkeys on pages served from the server's own Development address; recovery codes, so the hosted page shows them.
        foreach (var method in (string[])[.. VerificationMethods.Default, VerificationMethods.Passkey, VerificationMethods.SecurityKey, VerificationMethods.RecoveryCode])
        {
            tenant.VerificationMethods.Add(method);
        }
        tenant.Passkeys.RpId = "localhost";
        tenant.Passkeys.RpName = "Challenges demo";
        tenant.Passkeys.Origins.Add("http://localhost:5080");
        return tenant;
    }
}
