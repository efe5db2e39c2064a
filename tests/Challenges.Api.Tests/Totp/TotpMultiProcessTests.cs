using System.Net.Http.Headers;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Totp;

/// <summary>Two real server processes on one real Redis: a code accepted on one is spent on the other.</summary>
[Collection(ApiCollection.Name)]
public sealed class TotpMultiProcessTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly WebhookListener _webhooks = new();
    private readonly List<ServerProcess> _servers = [];

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 2; i++)
        {
            _servers.Add(await ServerProcess.StartAsync(ProcessSettings.For(_redis.Configuration, _webhooks.Url)));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        await _webhooks.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Replaying_a_code_on_a_second_process_at_the_same_moment_verifies_exactly_once()
    {
        var userId = ApiFixture.NewUserId();
        var admin = _servers[0].Client(TestTenants.AKey);
        var secret = await TotpKit.EnrolVerifiedAsync(admin, userId);
        var tokens = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            tokens.Add((await admin.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok()).Str("token"));
        }
        var code = TotpKit.Code(secret, DateTimeOffset.UtcNow);

        var results = await Task.WhenAll(tokens.Select((token, i) =>
        {
            var client = _servers[i % 2].Client();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return TotpKit.VerifyAsync(client, code);
        }));

        Assert.Equal(1, results.Count(r => r.GetProperty("isVerified").GetBoolean()));
        ProcessSettings.AssertNoSecrets(string.Concat(_servers.Select(s => s.Output)), [code, TotpKit.ToBase32(secret)]);
    }
}
