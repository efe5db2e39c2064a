using System.Net;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Storage;

/// <summary>A Redis of its own, stopped and started under a running server.</summary>
[Collection(ApiCollection.Name)]
public sealed class StoreOutageTests(ApiFixture fixture) : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private ChallengesFactory _factory = null!;

    public Task InitializeAsync()
    {
        _redis = new RedisServer();
        _factory = new ChallengesFactory(_redis.Configuration, fixture.Webhooks.Url, TestClock.StartingNow());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private HttpClient Server()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TestTenants.AKey + ":")));
        return client;
    }

    [Fact]
    public async Task Redis_down_answers_503_quickly_and_service_resumes_when_it_returns()
    {
        var server = Server();
        var userId = ApiFixture.NewUserId();
        await server.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "before" }).Ok();

        _redis.Stop();
        var started = System.Diagnostics.Stopwatch.StartNew();
        using (var response = await server.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "during" }))
        {
            await response.AssertError(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        }
        // Not a timing assertion on performance: a hang would be a failure of behaviour, bounded generously.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"The 503 took {started.Elapsed}.");
        using (var ready = await _factory.CreateClient().GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
        using (var live = await _factory.CreateClient().GetAsync("/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        _redis.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        HttpStatusCode status;
        do
        {
            await Task.Delay(100);
            using var response = await server.GetAsync($"/v1/users/{userId}/actions/signIn/before");
            status = response.StatusCode;
        }
        while (status == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline);

        // The empty Redis came back (no persistence in this test), so the earlier action is gone, but the server answers.
        Assert.Equal(HttpStatusCode.NotFound, status);
        await server.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "after" }).Ok();
        await _factory.CreateClient().GetAsync("/health/ready").Ok();
    }
}
