using System.Globalization;
using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Operations;

/// <summary>
/// Connection strings of managed Redis offerings: an ACL user (<c>user=</c>, Redis 6+) and TLS (<c>ssl=true</c>) with a
/// private CA, against a local redis-server started with an ACL user and with <c>--tls-port</c> and a certificate made
/// for the test. The server must serve a whole flow through them, and trust no certificate it was not told to.
/// </summary>
public sealed class RedisConnectionTests : IDisposable
{
    private const string AclUser = "challenges-app";
    private const string AclPassword = "acl-password-for-tests-0123";
    private readonly TestCertificate _certificate = new();

    public void Dispose() => _certificate.Dispose();

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static async Task AssertServesAFlowAsync(ServerProcess server)
    {
        using var client = server.Client(TestTenants.AKey);
        var userId = ApiFixture.NewUserId();
        var tracked = await client.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();
        await client.GetAsync($"/v1/users/{userId}/actions/signIn/{tracked.Str("idempotencyKey")}").Ok();
    }

    [Fact]
    public async Task An_acl_user_connection_string_is_accepted()
    {
        // The default user has a password the server is not given: only the ACL user's credentials can work.
        await using var redis = new RedisServer("--requirepass", "default-user-password-not-given",
            "--user", AclUser, "on", ">" + AclPassword, "~*", "&*", "+@all");
        await using var server = await ServerProcess.StartAsync(ProcessSettings.For(
            $"{redis.Configuration},user={AclUser},password={AclPassword}", new Uri("http://127.0.0.1:1/")));

        await AssertServesAFlowAsync(server);
        Assert.Contains($"Store: Redis at {redis.Configuration} as user {AclUser} (Redis__Configuration)", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(AclPassword, server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tls_connection_string_is_accepted_with_the_operators_ca()
    {
        var tlsPort = RedisServer.FreePort();
        await using var redis = TlsRedis(tlsPort);
        await using var server = await ServerProcess.StartAsync(ProcessSettings.For(
            $"127.0.0.1:{Port(tlsPort)},ssl=true", new Uri("http://127.0.0.1:1/"), ("Redis:CaCertificate", _certificate.CertificatePath)));

        await AssertServesAFlowAsync(server);
        Assert.Contains($"Store: Redis at 127.0.0.1:{Port(tlsPort)} over TLS (Redis__Configuration)", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redis_with_an_untrusted_certificate_is_not_used_and_the_warning_names_the_setting()
    {
        // Without Redis__CaCertificate the self-signed certificate is an impostor's: no data goes to it.
        var tlsPort = RedisServer.FreePort();
        await using var redis = TlsRedis(tlsPort);
        await using var server = await ServerProcess.StartAsync(ProcessSettings.For($"127.0.0.1:{Port(tlsPort)},ssl=true", new Uri("http://127.0.0.1:1/")),
            new ServerProcessOptions(ReadyPath: "/health/live"));
        using var client = server.Client(TestTenants.AKey);

        using (var ready = await client.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("unreachable", (await ready.Json()).Str("store"));
        }
        await client.PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { })
            .Error(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.Contains($"Redis at 127.0.0.1:{Port(tlsPort)} over TLS is unreachable or slow: check Redis__Configuration", server.Output,
            StringComparison.Ordinal);
    }

    /// <summary>A redis-server with a TLS port beside its plain one (which only the test's readiness check uses).</summary>
    private RedisServer TlsRedis(int tlsPort) => new("--tls-port", Port(tlsPort),
        "--tls-cert-file", _certificate.CertificatePath, "--tls-key-file", _certificate.KeyPath,
        "--tls-ca-cert-file", _certificate.CertificatePath, "--tls-auth-clients", "no");
}
