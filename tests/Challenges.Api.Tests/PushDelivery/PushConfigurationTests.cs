using System.Security.Cryptography;
using Challenges.Api.PushDelivery;
using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>Push credentials and texts are checked at start, each problem naming its key and never quoting a secret.</summary>
public sealed class PushConfigurationTests : IDisposable
{
    private readonly PushConfigurationValidator _validator = new();
    private readonly ECDsa _apnsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _directory = Directory.CreateTempSubdirectory("challenges-push-").FullName;

    public void Dispose()
    {
        _apnsKey.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private ApnsOptions Apns() => new()
    {
        TeamId = ApnsFake.TeamId, KeyId = ApnsFake.KeyId, PrivateKey = _apnsKey.ExportPkcs8PrivateKeyPem(), Topic = ApnsFake.Topic,
    };

    private string Problems(Action<PushOptions> configure)
    {
        var tenant = new TenantOptions { Id = "t" };
        configure(tenant.Push);
        var options = new TenantsOptions();
        options.Tenants.Add(tenant);
        var result = _validator.Validate(null, options);
        return result.Succeeded ? "" : result.FailureMessage ?? "";
    }

    private string File(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void A_complete_apns_key_an_fcm_service_account_and_texts_pass_as_text_and_as_files()
    {
        var fcm = FcmFake.NewServiceAccountJson();
        Assert.Equal("", Problems(p =>
        {
            p.Apns = Apns();
            p.Fcm.ServiceAccount = fcm;
            p.Notification.Actions["stepUp"] = new PushNotificationText { Title = "Step up" };
        }));
        Assert.Equal("", Problems(p =>
        {
            p.Apns = Apns();
            p.Apns.PrivateKey = File("AuthKey_KEY1234567.p8", p.Apns.PrivateKey);
            p.Apns.Environment = "Sandbox";
            p.Fcm.ServiceAccount = File("service-account.json", fcm);
        }));
        // A PEM pasted into one environment variable, its line breaks written as \n.
        Assert.Equal("", Problems(p => { p.Apns = Apns(); p.Apns.PrivateKey = p.Apns.PrivateKey.Replace("\n", "\\n", StringComparison.Ordinal); }));
        Assert.Equal("", Problems(_ => { }));
    }

    [Fact]
    public void Apns_settings_given_in_part_name_each_missing_key()
    {
        var problems = Problems(p => p.Apns = new ApnsOptions { KeyId = ApnsFake.KeyId });

        Assert.Contains("Tenants__0__Push__Apns__TeamId is required", problems, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Push__Apns__PrivateKey is required", problems, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Push__Apns__Topic is required", problems, StringComparison.Ordinal);
        Assert.DoesNotContain("KeyId is required", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_is_not_an_apns_key_is_refused_without_being_quoted()
    {
        using var rsa = RSA.Create(2048);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var notKeys = new Dictionary<string, string>
        {
            ["rsa"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["P-384"] = p384.ExportPkcs8PrivateKeyPem(),
            ["public only"] = _apnsKey.ExportSubjectPublicKeyInfoPem(),
            ["encrypted"] = _apnsKey.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)),
            ["missing file"] = Path.Combine(_directory, "AuthKey_missing.p8"),
        };
        foreach (var (what, key) in notKeys)
        {
            var problems = Problems(p => { p.Apns = Apns(); p.Apns.PrivateKey = key; });
            Assert.True(problems.Contains("Tenants__0__Push__Apns__PrivateKey ", StringComparison.Ordinal), $"{what}: {problems}");
            Assert.DoesNotContain(key.Length > 60 ? key[30..60] : key, problems, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("TeamId", "TEAM", "Tenants__0__Push__Apns__TeamId must be the 10-character Team ID")]
    [InlineData("KeyId", "KEY-123456", "Tenants__0__Push__Apns__KeyId must be the 10-character Key ID")]
    [InlineData("Topic", "com.example app", "Tenants__0__Push__Apns__Topic must be the app's bundle ID")]
    [InlineData("Environment", "staging", "Tenants__0__Push__Apns__Environment must be production or sandbox")]
    public void A_malformed_apns_setting_names_its_key(string setting, string value, string expected)
    {
        var problems = Problems(p =>
        {
            p.Apns = Apns();
            typeof(ApnsOptions).GetProperty(setting)!.SetValue(p.Apns, value);
        });

        Assert.Contains(expected, problems, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"authorized_user","client_id":"x","client_secret":"y"}""", "is not a service account key")]
    [InlineData("""{"type":"service_account","client_email":"a@b","private_key":"x"}""", "has no project_id")]
    [InlineData("""{"type":"service_account","project_id":"p","client_email":"a@b","private_key":"not a key"}""", "has no RSA private_key")]
    [InlineData("{ not json", "is not a JSON object")]
    [InlineData("/nonexistent/service-account.json", "is neither the credential's text")]
    public void A_service_account_that_is_not_one_names_its_key(string value, string expected)
    {
        var problems = Problems(p => p.Fcm.ServiceAccount = value);

        Assert.Contains($"Tenants__0__Push__Fcm__ServiceAccount {expected}", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_account_with_a_token_uri_that_is_not_http_is_refused()
    {
        var json = FcmFake.NewServiceAccountJson().Replace("\"token_uri\":\"", "\"token_uri\":\"file:///etc/passwd#", StringComparison.Ordinal);

        Assert.Contains("Tenants__0__Push__Fcm__ServiceAccount has a token_uri that is not an absolute http or https URL", Problems(p => p.Fcm.ServiceAccount = json),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Notification_texts_must_be_short_plain_and_not_empty()
    {
        var problems = Problems(p =>
        {
            p.Notification.Title = "";
            p.Notification.Body = new string('x', PushConfigurationValidator.MaxBodyLength + 1);
            p.Notification.Actions["signIn"] = new PushNotificationText { Title = "Sign\u0007in", Body = "Line one\nline two" };
        });

        Assert.Contains("Tenants__0__Push__Notification__Title must be 1 to 100 characters", problems, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Push__Notification__Body must be 1 to 300 characters", problems, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Push__Notification__Actions__signIn__Title must be", problems, StringComparison.Ordinal);
        Assert.DoesNotContain("Actions__signIn__Body", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void The_delivery_and_fatigue_settings_name_their_keys_and_the_delivery_default_follows_the_credentials()
    {
        var problems = Problems(p =>
        {
            p.Delivery = "Relay";
            p.Fatigue.FirstBackoff = TimeSpan.FromSeconds(-1);
            p.Fatigue.UnansweredForMatching = 0;
            p.Fatigue.KnownAddressLifetime = TimeSpan.FromDays(400);
        });

        Assert.Contains("Tenants__0__Push__Delivery must be Webhook, Direct or Both", problems, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Push__Fatigue__FirstBackoff must be between 0 and 365 days", problems, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Push__Fatigue__UnansweredForMatching must be at least 1", problems, StringComparison.Ordinal);
        Assert.Contains("Tenants__0__Push__Fatigue__KnownAddressLifetime must be between 0 and 365 days", problems, StringComparison.Ordinal);
        Assert.Equal("", Problems(p => p.Delivery = "direct"));
        Assert.Equal(PushDeliveryModes.Webhook, new PushOptions().DeliveryMode());
        Assert.Equal(PushDeliveryModes.Both, new PushOptions { Apns = Apns() }.DeliveryMode());
        Assert.Equal(PushDeliveryModes.Direct, new PushOptions { Delivery = "direct" }.DeliveryMode());
    }

    [Fact]
    public void The_services_settings_name_their_keys()
    {
        var options = new PushProvidersOptions();
        options.Apns.BaseUrl = new Uri("ftp://apns.example/");
        options.Fcm.Timeout = TimeSpan.Zero;
        options.Fcm.MaxConcurrentSends = 0;

        var problems = _validator.Validate(null, options).FailureMessage;

        Assert.Contains("Push__Apns__BaseUrl must be an absolute http or https URL", problems, StringComparison.Ordinal);
        Assert.Contains("Push__Fcm__Timeout must be positive", problems, StringComparison.Ordinal);
        Assert.Contains("Push__Fcm__MaxConcurrentSends must be between 1 and 10000", problems, StringComparison.Ordinal);
        Assert.Contains("Push__ResultWait must be between 0 and 30 seconds",
            _validator.Validate(null, new PushProvidersOptions { ResultWait = TimeSpan.FromMinutes(1) }).FailureMessage, StringComparison.Ordinal);
        Assert.True(_validator.Validate(null, new PushProvidersOptions()).Succeeded);
    }

    [Fact]
    public async Task The_server_refuses_to_start_with_a_key_that_is_not_an_apns_key()
    {
        var refusal = await ServerProcess.RefuseAsync(Reliability.ProcessSettings.For("", new Uri("http://127.0.0.1:1/"),
            ("Tenants:0:Push:Apns:TeamId", ApnsFake.TeamId), ("Tenants:0:Push:Apns:KeyId", ApnsFake.KeyId),
            ("Tenants:0:Push:Apns:PrivateKey", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----"),
            ("Tenants:0:Push:Apns:Topic", ApnsFake.Topic), ("Push:Fcm:MaxConcurrentSends", "0")));

        Assert.Equal(1, refusal.ExitCode);
        Assert.Contains("Configuration refused: Tenants__0__Push__Apns__PrivateKey holds no unencrypted EC private key", refusal.Output, StringComparison.Ordinal);
        Assert.Contains("Configuration refused: Push__Fcm__MaxConcurrentSends must be between 1 and 10000.", refusal.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("bm90IGEga2V5", refusal.Output, StringComparison.Ordinal);
    }
}
