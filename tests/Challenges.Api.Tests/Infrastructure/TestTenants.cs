using Challenges.Api.Tenants;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>The tenants every test server is configured with (test-only keys).</summary>
public static class TestTenants
{
    public const string A = "tenant-a";
    public const string AKey = "test-secret-key-tenant-a-0123456789abcdef";
    public const string AKeyRotated = "test-secret-key-tenant-a-rotated-0123456789";
    public const string B = "tenant-b";
    public const string BKey = "test-secret-key-tenant-b-0123456789abcdef";

    /// <summary>Tenant B's display name (the issuer of its authenticator apps). Tenant B also enables recovery codes and
    /// sends SMS and WhatsApp codes only to +64 and +1 numbers.</summary>
    public const string BName = "Tenant B: Example & Co";

    /// <summary>Tenant with push number matching on.</summary>
    public const string Match = "tenant-match";
    public const string MatchKey = "test-secret-key-tenant-match-0123456789ab";

    public const string SigningKey = "test-token-signing-key-0123456789abcdef0123456789";

    /// <summary>Session app clients: every tenant has <see cref="WebClient"/> (default lifetimes); tenant A also <see cref="IosClient"/>.</summary>
    public const string WebClient = "web";

    /// <summary>Tenant A's second app client: 5 minute access tokens, sessions of one hour.</summary>
    public const string IosClient = "ios";

    /// <summary>Sessions per user on tenant <see cref="Match"/>, small enough for the cap to be reached in a test.</summary>
    public const int MatchMaxSessions = 3;

    /// <summary>The WebAuthn relying party of passkey tests: pages on localhost.</summary>
    public const string PasskeyRpId = "localhost";

    /// <summary>
    /// Passkeys and security keys for tenants A and B (on top of <see cref="Configuration"/>): RP ID localhost, the given
    /// origins (a page's, an Android app's), every other method as by default.
    /// </summary>
    public static Dictionary<string, string?> Passkeys(params string[] origins)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var tenant in new[] { 0, 1 })
        {
            // Tenant B enables recovery codes too (as Configuration does).
            string[] methods = [.. VerificationMethods.Default, "PASSKEY", "SECURITY_KEY", .. tenant == 1 ? ["RECOVERY_CODE"] : Array.Empty<string>()];
            for (var m = 0; m < methods.Length; m++)
            {
                settings[$"Tenants:{tenant}:VerificationMethods:{m}"] = methods[m];
            }
            settings[$"Tenants:{tenant}:Passkeys:RpId"] = PasskeyRpId;
            settings[$"Tenants:{tenant}:Passkeys:RpName"] = "Challenges tests";
            for (var o = 0; o < origins.Length; o++)
            {
                settings[$"Tenants:{tenant}:Passkeys:Origins:{o}"] = origins[o];
            }
        }
        return settings;
    }

    /// <summary>Configuration for the three tenants; the webhook URL points at the tests' listener.</summary>
    public static Dictionary<string, string?> Configuration(Uri webhookUrl) => new()
    {
        ["Tenants:0:Id"] = A,
        ["Tenants:0:SecretKeys:0"] = AKey,
        ["Tenants:0:SecretKeys:1"] = AKeyRotated,
        ["Tenants:0:WebhookUrl"] = webhookUrl.ToString(),
        ["Tenants:0:AllowedOrigins:0"] = "https://app.example",
        ["Tenants:0:Actions:blockedAction"] = "BLOCK",
        ["Tenants:0:Actions:allowedAction"] = "ALLOW",
        ["Tenants:0:Sessions:Clients:0:Id"] = WebClient,
        ["Tenants:0:Sessions:Clients:1:Id"] = IosClient,
        ["Tenants:0:Sessions:Clients:1:AccessTokenLifetime"] = "00:05:00",
        ["Tenants:0:Sessions:Clients:1:RefreshTokenLifetime"] = "01:00:00",
        ["Tenants:1:Id"] = B,
        ["Tenants:1:SecretKeys:0"] = BKey,
        ["Tenants:1:WebhookUrl"] = webhookUrl.ToString(),
        ["Tenants:1:StepUp:Channels:0"] = "AUTHY",
        ["Tenants:1:StepUp:Channels:1"] = "BIOMETRIC",
        ["Tenants:1:Sessions:Clients:0:Id"] = WebClient,
        // Short email magic links, so that a test can see one expire while its client token is still valid.
        ["Tenants:1:Limits:MagicLinkLifetime"] = "00:01:00",
        ["Tenants:1:Name"] = BName,
        ["Tenants:1:VerificationMethods:0"] = "SMS",
        ["Tenants:1:VerificationMethods:1"] = "WHATSAPP",
        ["Tenants:1:VerificationMethods:2"] = "EMAIL_OTP",
        ["Tenants:1:VerificationMethods:3"] = "PUSH",
        ["Tenants:1:VerificationMethods:4"] = "AUTHENTICATOR_APP",
        ["Tenants:1:VerificationMethods:5"] = "RECOVERY_CODE",
        ["Tenants:1:Limits:PhonePrefixes:0"] = "+64",
        ["Tenants:1:Limits:PhonePrefixes:1"] = "+1",
        ["Tenants:1:VerificationMethods:6"] = "EMAIL_MAGIC_LINK",
        ["Tenants:2:Id"] = Match,
        ["Tenants:2:SecretKeys:0"] = MatchKey,
        ["Tenants:2:WebhookUrl"] = webhookUrl.ToString(),
        ["Tenants:2:Push:NumberMatching"] = "true",
        ["Tenants:2:Sessions:Clients:0:Id"] = WebClient,
        ["Tenants:2:Sessions:MaxSessionsPerUser"] = MatchMaxSessions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Tokens:SigningKey"] = SigningKey,
        ["PublicUrl"] = "https://challenges.test",
        ["Outbox:PollInterval"] = "00:00:00.050",
    };
}
