using Challenges.Api.Storage;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Operations;

/// <summary>
/// <c>dotnet Challenges.Api.dll reindex-users</c> as an operator runs it, beside what the integration tests prove
/// (Users/UserIndexBackfillTests): what it says with the in-memory store, on a configuration or connection problem (one
/// line, a non-zero exit), and that it keeps to the deployment's own keys on a Redis shared with another one.
/// </summary>
public sealed class ReindexUsersCommandTests : ProcessTestBed
{
    [Fact]
    public async Task With_the_in_memory_store_there_is_nothing_to_do()
    {
        var (exit, output) = await ServerProcess.RunCommandAsync(Settings(("Redis:Configuration", RedisOptions.Memory)), "reindex-users");

        Assert.Equal(0, exit);
        Assert.StartsWith("reindex-users: nothing to do: the store is the in-memory one", Assert.Single(Lines(output)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_redis_is_one_line_and_exit_code_2()
    {
        var nobody = $"127.0.0.1:{RedisServer.FreePort()}";

        var (exit, output) = await ServerProcess.RunCommandAsync(Settings(("Redis:Configuration", nobody)), "reindex-users");

        Assert.Equal(2, exit);
        Assert.Equal($"reindex-users: Redis at {nobody} is unreachable or slow: check Redis__Configuration.", Assert.Single(Lines(output)));
    }

    [Theory]
    [InlineData("reindex-users: no tenant 'nope' is configured (Tenants__N__Id).", "--tenant nope")]
    [InlineData("reindex-users: unexpected argument '--tenants'; usage: reindex-users [--tenant ID] (configuration from the environment, as for the server).", "--tenants tenant-a")]
    [InlineData("reindex-users: unexpected argument '--tenant'; usage: reindex-users [--tenant ID] (configuration from the environment, as for the server).", "--tenant")]
    [InlineData("reindex-users: --tenant needs a tenant id; usage: reindex-users [--tenant ID] (configuration from the environment, as for the server).", "--tenant=")]
    public async Task A_bad_command_line_or_an_unknown_tenant_is_one_line_and_exit_code_1(string line, string arguments)
    {
        var (exit, output) = await ServerProcess.RunCommandAsync(Settings(), ["reindex-users", .. arguments.Split(' ')]);

        Assert.Equal(1, exit);
        Assert.Equal(line, Assert.Single(Lines(output)));
    }

    [Fact]
    public async Task A_configuration_the_server_refuses_is_refused_by_the_command_too()
    {
        var (exit, output) = await ServerProcess.RunCommandAsync(Settings(("Redis:Configuration", "")), "reindex-users");

        Assert.Equal(1, exit);
        Assert.StartsWith("Configuration refused: Redis__Configuration is empty", Assert.Single(Lines(output)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_deployments_keys_on_a_shared_redis_are_left_alone()
    {
        // This deployment keeps its keys under a prefix; another one shares the Redis without it.
        await using var redis = await RedisInspector.ConnectAsync(Redis.Configuration);
        var ours = ApiFixture.NewUserId();
        var theirs = ApiFixture.NewUserId();
        await redis.Database.StringSetAsync($"p1:u:{HashTags.User(TestTenants.A, ours)}:profile", """{"username":"ours"}""");
        await redis.Database.StringSetAsync($"u:{HashTags.User(TestTenants.A, theirs)}:profile", """{"username":"theirs"}""");
        await redis.Database.StringSetAsync($"p1:u:{HashTags.User(TestTenants.A, "damaged")}:profile", "not json");
        await redis.Database.StringSetAsync($"p1:u:{HashTags.User("tenant-gone", ours)}:profile", """{"username":"ours"}""");

        var (exit, output) = await ServerProcess.RunCommandAsync(Settings(("Redis:KeyPrefix", "p1:")), "reindex-users");

        Assert.Equal(0, exit);
        Assert.Contains($"{TestTenants.A}: added=1 (dated=1) present=0 deleted=0 unreadable=1", Lines(output));
        Assert.Contains("total: added=1 (dated=1) present=0 deleted=0 unreadable=1 unconfigured=1", Lines(output));
        Assert.Contains($"reindex-users: u:{HashTags.User(TestTenants.A, "damaged")}:profile is not a user document this version reads; left alone.",
            Lines(output));
        Assert.Equal([$"p1:ux:{{{TestTenants.A}:users}}"], redis.Keys("*ux:*"));
        var member = (string)(await redis.Database.SortedSetRangeByRankAsync($"p1:ux:{{{TestTenants.A}:users}}")).Single()!;
        Assert.EndsWith(":" + ours, member, StringComparison.Ordinal);
        Assert.Equal("""{"username":"theirs"}""", await redis.Database.StringGetAsync($"u:{HashTags.User(TestTenants.A, theirs)}:profile"));
    }
}
