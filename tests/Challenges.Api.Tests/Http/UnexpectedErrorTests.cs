using System.Net;
using Challenges.Api.Storage;
using Challenges.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Challenges.Api.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class UnexpectedErrorTests(ApiFixture fixture)
{
    /// <summary>A store with a bug: every call throws an exception nobody expects.</summary>
    private sealed class BrokenStore : IStateStore
    {
        private static InvalidOperationException Boom() => new("secret detail: password=hunter2");
        public Task<string?> GetAsync(string key) => throw Boom();
        public Task<IReadOnlyList<string?>> GetManyAsync(IReadOnlyList<string> keys) => throw Boom();
        public Task<bool> CommitAsync(IReadOnlyList<StateChange> changes) => throw Boom();
        public Task<string?> ExchangeAsync(string key, string value, TimeSpan ttl) => throw Boom();
        public Task<long> IncrementAsync(string key, TimeSpan ttl) => throw Boom();
        public Task DecrementAsync(string key) => throw Boom();
        public Task<IReadOnlyList<string>> IndexRangeAsync(string key, double minScore, int take) => throw Boom();
        public Task<bool> IndexAddNewAsync(string key, string member, double score) => throw Boom();
        public Task PingAsync() => throw Boom();
    }

    [Fact]
    public async Task An_unexpected_exception_is_a_generic_500_that_echoes_nothing()
    {
        await using var factory = new ChallengesFactory(fixture.RedisConfiguration, fixture.Webhooks.Url, TestClock.StartingNow());
        using var client = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.RemoveAll<IStateStore>();
            s.AddSingleton<IStateStore, BrokenStore>();
        })).CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TestTenants.AKey + ":")));

        using var response = await client.GetAsync($"/v1/users/{ApiFixture.NewUserId()}");

        var description = await response.AssertError(HttpStatusCode.InternalServerError, "server_error");
        Assert.DoesNotContain("hunter2", description, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
