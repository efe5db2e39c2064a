using System.Net;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Http;

/// <summary>
/// Configurations that would expose a real deployment, started as real server processes: Development settings must
/// not leak into real tenants, and Production refuses what it cannot run safely without.
/// </summary>
public sealed class StartupAttackTests
{
    private static readonly string[] Secrets =
        [TestTenants.AKey, TestTenants.AKeyRotated, TestTenants.BKey, TestTenants.MatchKey, TestTenants.SigningKey];

    private static HttpClient Basic(ServerProcess server, string secretKey) => server.Client(secretKey);

    [Fact]
    public async Task A_development_run_with_real_tenants_prints_no_secret_key_and_keeps_their_delivery()
    {
        await using var webhooks = new WebhookListener();
        var settings = ProcessSettings.For("", webhooks.Url, ("ASPNETCORE_ENVIRONMENT", "Development"));
        await using var server = await ServerProcess.StartAsync(settings);

        // The demo tenant does not exist beside real ones, and its Log delivery was not merged into tenant 0.
        await Basic(server, DemoTenant.SecretKey).GetAsync("/v1/users/anyone").Error(HttpStatusCode.Unauthorized, "unauthorized");
        var phone = Otp.OtpKit.NewPhone();
        await Basic(server, TestTenants.AKey).PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone }).Ok();
        Assert.Equal(1, Otp.OtpKit.CountDeliveries(webhooks, "sms.created", phone));

        var output = server.Output;
        Assert.DoesNotContain("Development delivery", output, StringComparison.Ordinal);
        Assert.DoesNotContain(DemoTenant.SecretKey, output, StringComparison.Ordinal);
        ProcessSettings.AssertNoSecrets(output, Secrets);
    }

    [Fact]
    public async Task A_development_run_without_tenants_prints_only_the_built_in_demo_key()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });

        Assert.Contains($"id {DemoTenant.Id}, secret key {DemoTenant.SecretKey}", server.Output, StringComparison.Ordinal);
        await Basic(server, DemoTenant.SecretKey).GetAsync("/v1/users/anyone").Ok();
    }

    [Fact]
    public async Task Production_refuses_to_start_without_a_tenant()
    {
        var output = await ServerProcess.RefusalAsync(new Dictionary<string, string?>
        {
            ["Tokens:SigningKey"] = TestTenants.SigningKey,
            ["PublicUrl"] = "https://challenges.test",
        });
        Assert.Contains("Tenants: no tenant is configured", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_refuses_to_start_without_a_public_url()
    {
        var output = await ServerProcess.RefusalAsync(ProcessSettings.For("", new Uri("http://127.0.0.1:1/"), ("PublicUrl", "")));
        Assert.Contains("PublicUrl is required outside Development", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hosted_page_link_ignores_a_forged_host_header()
    {
        await using var server = await ServerProcess.StartAsync(ProcessSettings.For(RedisOptions.Memory, new Uri("http://127.0.0.1:1/")));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/users/{ApiFixture.NewUserId()}/actions/signIn");
        request.Headers.Host = "evil.example";
        request.Content = new StringContent("{}");
        using var response = await Basic(server, TestTenants.AKey).SendAsync(request);
        var url = (await response.Json()).Str("url");
        Assert.StartsWith("https://challenges.test/hosted?token=", url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_serves_no_openapi_document_or_swagger_ui_unless_enabled()
    {
        await using (var closed = await ServerProcess.StartAsync(ProcessSettings.For(RedisOptions.Memory, new Uri("http://127.0.0.1:1/"))))
        {
            foreach (var path in new[] { "/swagger/v1/swagger.json", "/swagger/index.html", "/swagger" })
            {
                await closed.Client().GetAsync(path).Error(HttpStatusCode.NotFound, "not_found");
            }
        }
        await using var open = await ServerProcess.StartAsync(ProcessSettings.For(RedisOptions.Memory, new Uri("http://127.0.0.1:1/"), ("OpenApi:Enabled", "true")));
        Assert.Contains("\"openapi\"", await open.Client().GetStringAsync("/swagger/v1/swagger.json"), StringComparison.Ordinal);
    }
}
