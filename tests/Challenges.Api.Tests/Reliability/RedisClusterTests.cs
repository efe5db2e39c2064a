using System.Net;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Reliability;

/// <summary>The server against a 3-master Redis Cluster: every atomic change stays within one hash slot.</summary>
[Collection(ApiCollection.Name)]
public sealed class RedisClusterTests : IAsyncLifetime
{
    private RedisCluster _cluster = null!;
    private readonly WebhookListener _webhooks = new();
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        _cluster = await RedisCluster.StartAsync();
        _server = await ServerProcess.StartAsync(ProcessSettings.For(_cluster.Configuration, _webhooks.Url));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _webhooks.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Server_api_flows_and_lifecycle_events_work_on_a_cluster_without_cross_slot_errors()
    {
        var server = _server.Client(TestTenants.AKey);
        var authenticatorIds = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var userId = ApiFixture.NewUserId();
            var enrolled = await server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = $"+6427000{i:D4}" }).Ok();
            authenticatorIds.Add(enrolled.GetProperty("authenticator").Str("userAuthenticatorId"));
            await server.PatchJson($"/v1/users/{userId}", new { email = $"c{i}@example.com" }).Ok();
            var tracked = await server.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "k" }).Ok();
            Assert.Equal("CHALLENGE_REQUIRED", tracked.Str("state"));
            await server.PatchJson($"/v1/users/{userId}/actions/signIn/k", new { state = "CHALLENGE_SUCCEEDED" }).Ok();
            Assert.True((await server.PostJson("/v1/validate", new { token = tracked.Str("token") }).Ok()).GetProperty("isValid").GetBoolean());
            Assert.Equal(1, (await server.GetAsync($"/v1/users/{userId}/actions").Ok()).GetArrayLength());
            if (i % 3 == 0)
            {
                await server.DeleteAsync($"/v1/users/{userId}").Ok();
                await server.GetAsync($"/v1/users/{userId}/actions/signIn/k").Error(HttpStatusCode.NotFound, "not_found");
            }
        }
        foreach (var id in authenticatorIds)
        {
            await _webhooks.WaitForAsync(r => r.BodyText.Contains(id, StringComparison.Ordinal) && r.BodyText.Contains("authenticator.created", StringComparison.Ordinal));
        }
        await _server.Client().GetAsync("/health/ready").Ok();
        Assert.DoesNotContain("CROSSSLOT", _server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", _server.Output, StringComparison.Ordinal);
    }
}
