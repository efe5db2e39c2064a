using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Tests.Sessions;

/// <summary>
/// Session signing keys across real server processes on one real Redis: a generated key is one key for every
/// process, survives restarts and is kept sealed; configured keys rotate without cutting sessions off.
/// </summary>
public sealed class SessionKeyReliabilityTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly WebhookListener _webhooks = new();
    private readonly List<ServerProcess> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        await _webhooks.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private async Task<ServerProcess> StartAsync(params (string Key, string Value)[] settings)
    {
        var server = await ServerProcess.StartAsync(ProcessSettings.For(_redis.Configuration, _webhooks.Url, settings));
        _servers.Add(server);
        return server;
    }

    private static async Task<string[]> KidsAsync(ServerProcess server) =>
        (await SessionKit.JwksAsync(server.Client(), TestTenants.A)).GetProperty("keys").EnumerateArray().Select(k => k.Str("kid")).ToArray();

    private static string Kid(string jwt) => SessionKit.Header(jwt).Str("kid");

    [Fact]
    public async Task Processes_racing_on_first_use_all_sign_with_the_one_generated_key_which_survives_a_restart()
    {
        var servers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => StartAsync()));

        // First use on every process at once: key set reads and session creations.
        var reads = servers.SelectMany(s => Enumerable.Range(0, 3).Select(_ => KidsAsync(s)));
        var sessions = servers.Select(s => SessionKit.NewSessionAsync(s.Client(TestTenants.AKey)));
        var kids = (await Task.WhenAll(reads)).Select(k => Assert.Single(k)).Distinct().ToList();
        var made = await Task.WhenAll(sessions);

        var kid = Assert.Single(kids);
        for (var i = 0; i < made.Length; i++)
        {
            Assert.Equal(kid, Kid(made[i].AccessToken));
            await SessionKit.ValidateAsync(servers[(i + 1) % servers.Length].Client(TestTenants.AKey), made[i].AccessToken).Ok();
        }
        servers[0].Kill();
        await servers[0].StartAsync();
        Assert.Equal([kid], await KidsAsync(servers[0]));
        await SessionKit.ValidateAsync(servers[0].Client(TestTenants.AKey), made[1].AccessToken).Ok();
    }

    [Fact]
    public async Task The_generated_key_is_kept_sealed_and_bound_to_its_tenant()
    {
        var server = await StartAsync();
        await KidsAsync(server);
        await using var redis = await RedisInspector.ConnectAsync(_redis.Configuration);

        var stored = (string?)await redis.Database.StringGetAsync($"sk:{{{TestTenants.A}}}");

        // A plain private key would hold the modulus the JWKS publishes; the sealed one shows nothing of it.
        Assert.NotNull(stored);
        Assert.DoesNotContain("PRIVATE", stored, StringComparison.Ordinal);
        var modulus = Base64UrlEncoder.DecodeBytes((await SessionKit.JwksAsync(server.Client(), TestTenants.A)).GetProperty("keys")[0].Str("n"));
        var data = Convert.FromBase64String(JsonDocument.Parse(stored).RootElement.GetProperty("Data").GetString()!);
        Assert.True(data.AsSpan().IndexOf(modulus.AsSpan(0, 16)) < 0, "the stored key holds the modulus in clear");
        // Moved to tenant B's place, tenant B cannot open it: B gets a key of its own instead.
        await redis.Database.StringSetAsync($"sk:{{{TestTenants.B}}}", stored);
        var kidOfB = (await SessionKit.JwksAsync(server.Client(), TestTenants.B)).GetProperty("keys")[0].Str("kid");
        Assert.NotEqual((await KidsAsync(server))[0], kidOfB);
        Assert.Contains("was sealed with another Tokens__SigningKey", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotating_configured_keys_keeps_sessions_and_earlier_tokens_valid_until_their_key_leaves()
    {
        using var first = RSA.Create(2048);
        using var second = RSA.Create(2048);
        var secondFile = Path.Combine(Path.GetTempPath(), $"challenges-session-key-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(secondFile, second.ExportRSAPrivateKeyPem());
        try
        {
            // Before: the first key signs.
            var before = await StartAsync(("Tenants:0:Sessions:SigningKeys:0", first.ExportPkcs8PrivateKeyPem()));
            var kept = await SessionKit.NewSessionAsync(before.Client(TestTenants.AKey));
            var moved = await SessionKit.NewSessionAsync(before.Client(TestTenants.AKey));
            var firstKid = Assert.Single(await KidsAsync(before));
            Assert.Equal(firstKid, Kid(kept.AccessToken));

            // During: the second key (a file) signs, the first (its public half only) still verifies.
            var during = await StartAsync(("Tenants:0:Sessions:SigningKeys:0", secondFile),
                ("Tenants:0:Sessions:SigningKeys:1", first.ExportSubjectPublicKeyInfoPem()));
            var admin = during.Client(TestTenants.AKey);
            var kids = await KidsAsync(during);
            Assert.Equal(2, kids.Length);
            Assert.Equal(firstKid, kids[1]);
            await SessionKit.ValidateAsync(admin, kept.AccessToken).Ok();
            var refreshed = await SessionKit.RefreshAsync(admin, moved.RefreshToken).Ok();
            Assert.Equal(kids[0], Kid(refreshed.Str("accessToken")));

            // After: the first key is gone; its tokens stop validating, their sessions go on by refresh.
            var after = await StartAsync(("Tenants:0:Sessions:SigningKeys:0", secondFile));
            admin = after.Client(TestTenants.AKey);
            await SessionKit.ValidateAsync(admin, kept.AccessToken).Error(HttpStatusCode.Unauthorized, "unauthorized");
            var renewed = await SessionKit.RefreshAsync(admin, kept.RefreshToken).Ok();
            await SessionKit.ValidateAsync(admin, renewed.Str("accessToken")).Ok();
            await SessionKit.ValidateAsync(admin, refreshed.Str("accessToken")).Ok();
        }
        finally
        {
            File.Delete(secondFile);
        }
    }
}
