using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Reliability;

/// <summary>Redis killed with SIGKILL under load, with <c>appendonly yes</c> and <c>appendfsync always</c>.</summary>
[Collection(ApiCollection.Name)]
public sealed class RedisDurabilityTests() : ServerProcessTest("--appendonly", "yes", "--appendfsync", "always")
{

    [Fact]
    public async Task Every_authenticator_and_challenge_answered_200_before_a_kill_9_of_redis_is_there_after_it()
    {
        var server = Server.Client(TestTenants.AKey);
        var confirmed = new ConcurrentBag<(string UserId, string AuthenticatorId)>();
        var challenges = new ConcurrentBag<string>();
        var outcomes = new ConcurrentDictionary<HttpStatusCode, int>();
        var slowest503 = TimeSpan.Zero;
        using var stop = new CancellationTokenSource();

        async Task Worker()
        {
            var turn = 0;
            while (!stop.IsCancellationRequested)
            {
                var userId = ApiFixture.NewUserId();
                var startsChallenge = turn++ % 2 == 1;
                var watch = Stopwatch.StartNew();
                using var response = startsChallenge
                    ? await server.PostJson("/v1/challenge", new { verificationMethod = "EMAIL_OTP", action = "signIn", email = $"{userId}@example.com" })
                    : await server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "EMAIL_OTP", email = $"{userId}@example.com" });
                outcomes.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var body = await response.Json();
                    if (startsChallenge)
                    {
                        challenges.Add(body.Str("challengeId"));
                    }
                    else
                    {
                        confirmed.Add((userId, body.GetProperty("authenticator").Str("userAuthenticatorId")));
                    }
                }
                else
                {
                    await response.AssertError(HttpStatusCode.ServiceUnavailable, "service_unavailable");
                    lock (outcomes)
                    {
                        slowest503 = watch.Elapsed > slowest503 ? watch.Elapsed : slowest503;
                    }
                    await Task.Delay(20);
                }
            }
        }

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(Worker)).ToArray();
        await Task.Delay(1500);
        Redis.Stop();
        using (var ready = await Server.Client().GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
        await Task.Delay(1500);
        Redis.Start();
        await Task.Delay(3000);
        stop.Cancel();
        await Task.WhenAll(workers);

        Assert.True(outcomes.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) > 0, "No request saw the outage.");
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable], outcomes.Keys.Order().ToArray());
        // A bound on behaviour (no hang), not a performance budget.
        Assert.True(slowest503 < TimeSpan.FromSeconds(5), $"The slowest 503 took {slowest503}.");
        await Server.Client().GetAsync("/health/ready").Ok();

        foreach (var (userId, authenticatorId) in confirmed)
        {
            var list = await server.GetAsync($"/v1/users/{userId}/authenticators").Ok();
            Assert.Contains(list.EnumerateArray(), a => a.Str("userAuthenticatorId") == authenticatorId);
        }
        foreach (var challengeId in challenges)
        {
            var found = await server.GetAsync($"/v1/challenges?challengeId={challengeId}").Ok();
            Assert.Equal(challengeId, found.Str("challengeId"));
        }
        Console.WriteLine($"Durability: {confirmed.Count} authenticators and {challenges.Count} challenges confirmed and kept, {outcomes.GetValueOrDefault(HttpStatusCode.ServiceUnavailable)} answered 503, slowest 503 {slowest503.TotalMilliseconds:F0} ms");
    }
}
