using System.Globalization;
using System.Text.Json;
using Challenges.Api.Storage;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;
using StackExchange.Redis;

namespace Challenges.Api.Tests.Users;

/// <summary>
/// The <c>reindex-users</c> command as an operator runs it (<c>dotnet Challenges.Api.dll reindex-users</c>, configured
/// by environment variables) against the tests' real Redis, a single server or a 3-master cluster: user documents written
/// as an earlier version wrote them (no <c>createdAt</c>, no index member) are found by SCAN on every master and listed by
/// <c>GET /v1/users</c> afterwards; a second run changes nothing; deleted users and other tenants' users stay out.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class UserIndexBackfillTests(ApiFixture fixture) : IAsyncLifetime
{
    private RedisInspector _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisInspector.ConnectAsync(fixture.RedisConfiguration);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    private IDatabase Db => _redis.Database;

    private static string NewUsername() => "bf" + Guid.NewGuid().ToString("N")[..16];

    private static string ProfileKey(string tenantId, string userId) => $"u:{HashTags.User(tenantId, userId)}:profile";

    private static string IndexKey(string tenantId) => $"ux:{{{tenantId}:users}}";

    /// <summary>A new user id whose keys live in third <paramref name="third"/> of the slots: on a 3-master cluster, on that master.</summary>
    private static string UserOnThird(string tenantId, int third)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var userId = ApiFixture.NewUserId();
            if (HashTags.SlotOf(HashTags.User(tenantId, userId)) * 3 / HashTags.Slots == third)
            {
                return userId;
            }
        }
        throw new InvalidOperationException("No user id hashes to that part of the slots.");
    }

    /// <summary>A user document as a version without the user index wrote it: no <c>createdAt</c> unless given, no index member.</summary>
    private async Task WriteAsEarlierVersionAsync(string tenantId, string userId, string username, DateTimeOffset? createdAt = null,
        params DateTimeOffset[] authenticatorsCreated)
    {
        var document = new Dictionary<string, object?>
        {
            ["username"] = username,
            ["authenticators"] = authenticatorsCreated.Select((at, i) => new Dictionary<string, object?>
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["verificationMethod"] = "SMS",
                ["createdAt"] = at,
                ["verifiedAt"] = at.AddMinutes(1),
                ["phoneNumber"] = $"+6427000{i:D4}",
            }).ToList(),
            ["outbox"] = Array.Empty<object>(),
            ["outboxSequence"] = 0,
        };
        if (createdAt is not null)
        {
            document["createdAt"] = createdAt;
        }
        Assert.True(await Db.StringSetAsync(ProfileKey(tenantId, userId), JsonSerializer.Serialize(document)));
    }

    private Task<(int Exit, string Output)> ReindexAsync(params string[] arguments) => ReindexOnAsync(fixture.RedisConfiguration, arguments);

    private Task<(int Exit, string Output)> ReindexOnAsync(string redis, params string[] arguments) =>
        ServerProcess.RunCommandAsync(ProcessSettings.For(redis, fixture.Webhooks.Url), ["reindex-users", .. arguments]);

    /// <summary>The counts the command printed for a tenant, e.g. <c>added=2 (dated=2) present=10 deleted=0 unreadable=0</c>.</summary>
    private static string CountsOf(string output, string tenantId) =>
        Assert.Single(output.Split('\n'), l => l.StartsWith(tenantId + ": ", StringComparison.Ordinal))[(tenantId.Length + 2)..].Trim();

    /// <summary>The index members (with their scores) of the given users.</summary>
    private async Task<List<(string Member, double Score)>> MembersOfAsync(string tenantId, IEnumerable<string> userIds)
    {
        var ids = userIds.ToHashSet(StringComparer.Ordinal);
        return (await Db.SortedSetRangeByRankWithScoresAsync(IndexKey(tenantId)))
            .Select(e => ((string)e.Element!, e.Score)).Where(e => ids.Contains(e.Item1[(e.Item1.IndexOf(':', StringComparison.Ordinal) + 1)..])).ToList();
    }

    private static async Task<List<string>> ListedAsync(HttpClient server, string username) =>
        (await UserQueryTests.AllPagesAsync(server, $"username={username}")).Select(u => u.Str("userId")).ToList();

    [Fact]
    public async Task Users_of_an_earlier_version_are_listed_in_creation_order_with_working_cursors_and_a_second_run_changes_nothing()
    {
        var username = NewUsername();
        var server = fixture.ServerClient();
        // One user on each master's part of the slots, and two more: the scan must visit every master.
        var dated = UserOnThird(TestTenants.A, 0);
        var oldest = UserOnThird(TestTenants.A, 1);
        var older = UserOnThird(TestTenants.A, 2);
        string[] undated = [.. new[] { UserOnThird(TestTenants.A, 0), UserOnThird(TestTenants.A, 2) }.Order(StringComparer.Ordinal)];
        var datedAt = new DateTimeOffset(2020, 5, 5, 10, 0, 0, TimeSpan.Zero);
        var oldestAt = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var olderAt = new DateTimeOffset(2022, 6, 1, 0, 0, 0, TimeSpan.Zero);
        // A version with createdAt but without the index; versions before createdAt, with and without authenticators.
        await WriteAsEarlierVersionAsync(TestTenants.A, dated, username, datedAt, olderAt);
        await WriteAsEarlierVersionAsync(TestTenants.A, oldest, username, null, oldestAt.AddDays(3), oldestAt);
        await WriteAsEarlierVersionAsync(TestTenants.A, older, username, null, olderAt);
        foreach (var userId in undated)
        {
            await WriteAsEarlierVersionAsync(TestTenants.A, userId, username);
        }
        Assert.Empty(await ListedAsync(server, username));
        var before = DateTimeOffset.UtcNow;

        var (exit, output) = await ReindexAsync();

        var after = DateTimeOffset.UtcNow;
        Assert.True(exit == 0, output);
        Assert.Contains("unreadable=0", CountsOf(output, TestTenants.A), StringComparison.Ordinal);
        var pages = 0;
        var listed = await UserQueryTests.AllPagesAsync(server, $"username={username}&limit=2", _ =>
        {
            pages++;
            return Task.CompletedTask;
        });
        // Creation order: the stored createdAt, else the earliest authenticator's creation, else the time of the run (then by id).
        Assert.Equal([dated, oldest, older, .. undated], listed.Select(u => u.Str("userId")));
        Assert.True(pages >= 2, $"{pages} cursors followed for five users in pages of two.");
        var created = listed.Select(u => DateTimeOffset.Parse(u.Str("createdAt"), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([datedAt, oldestAt, olderAt], created[..3]);
        Assert.All(created[3..], at => Assert.InRange(at, before.AddMilliseconds(-1), after));
        Assert.Equal(created[3], created[4]);
        Assert.All(listed, u => Assert.Equal(username, u.Str("username")));
        // The document of a user that had no createdAt now has the one it is listed under; its next write keeps it.
        await server.PatchJson($"/v1/users/{undated[0]}", new { displayName = "Changed" }).Ok();
        Assert.Equal([dated, oldest, older, .. undated], await ListedAsync(server, username));

        var index = await MembersOfAsync(TestTenants.A, listed.Select(u => u.Str("userId")));
        var documents = await Task.WhenAll(listed.Select(u => Db.StringGetAsync(ProfileKey(TestTenants.A, u.Str("userId")))));
        var (again, secondOutput) = await ReindexAsync();

        Assert.True(again == 0, secondOutput);
        Assert.StartsWith("added=0 (dated=0) present=", CountsOf(secondOutput, TestTenants.A), StringComparison.Ordinal);
        Assert.Equal(index, await MembersOfAsync(TestTenants.A, listed.Select(u => u.Str("userId"))));
        Assert.Equal(5, index.Count);
        Assert.Equal(documents, await Task.WhenAll(listed.Select(u => Db.StringGetAsync(ProfileKey(TestTenants.A, u.Str("userId"))))));
        Assert.Equal([dated, oldest, older, .. undated], await ListedAsync(server, username));
    }

    [Fact]
    public async Task A_deleted_user_is_not_brought_back_by_the_backfill()
    {
        var username = NewUsername();
        var server = fixture.ServerClient();
        var kept = UserOnThird(TestTenants.A, 0);
        var deletedBefore = UserOnThird(TestTenants.A, 1);
        var deletedBetween = UserOnThird(TestTenants.A, 2);
        foreach (var userId in new[] { kept, deletedBefore, deletedBetween })
        {
            await WriteAsEarlierVersionAsync(TestTenants.A, userId, username, null, DateTimeOffset.UtcNow.AddDays(-30));
        }
        // Deleted by a server of this version before the first run, and another one between two runs.
        await server.DeleteAsync($"/v1/users/{deletedBefore}");

        // Named by one node only, as an operator may: on a cluster the others (and their users) are found from it.
        var (exit, output) = await ReindexOnAsync(fixture.RedisConfiguration.Split(',')[0], "--tenant", TestTenants.A);
        Assert.True(exit == 0, output);
        Assert.Equal(new[] { kept, deletedBetween }.Order(StringComparer.Ordinal), (await ListedAsync(server, username)).Order(StringComparer.Ordinal));
        await server.DeleteAsync($"/v1/users/{deletedBetween}");
        (exit, output) = await ReindexAsync("--tenant", TestTenants.A);

        Assert.True(exit == 0, output);
        Assert.Equal([kept], await ListedAsync(server, username));
        var members = (await Db.SortedSetRangeByRankAsync(IndexKey(TestTenants.A))).Select(m => (string)m!).ToList();
        Assert.DoesNotContain(members, m => m.EndsWith(":" + deletedBefore, StringComparison.Ordinal));
        foreach (var userId in new[] { deletedBefore, deletedBetween })
        {
            var document = JsonDocument.Parse((string)(await Db.StringGetAsync(ProfileKey(TestTenants.A, userId)))!).RootElement;
            Assert.False(document.TryGetProperty("createdAt", out _), $"{userId} was given a createdAt after its deletion.");
            Assert.Empty(document.GetProperty("authenticators").EnumerateArray());
        }
    }

    [Fact]
    public async Task Another_tenants_users_never_join_a_tenants_index()
    {
        // The same username and the same user ids in tenant B: only the tenant's own documents may join its index.
        var username = NewUsername();
        var tenantA = fixture.ServerClient();
        var tenantB = fixture.ServerClient(TestTenants.BKey);
        var ours = UserOnThird(TestTenants.A, 1);
        var shared = UserOnThird(TestTenants.A, 2);
        var theirs = UserOnThird(TestTenants.B, 0);
        await WriteAsEarlierVersionAsync(TestTenants.A, ours, username);
        await WriteAsEarlierVersionAsync(TestTenants.A, shared, username);
        await WriteAsEarlierVersionAsync(TestTenants.B, shared, username);
        await WriteAsEarlierVersionAsync(TestTenants.B, theirs, username);

        var (exit, output) = await ReindexAsync($"--tenant={TestTenants.A}");

        Assert.True(exit == 0, output);
        Assert.DoesNotContain(output.Split('\n'), l => l.StartsWith(TestTenants.B + ": ", StringComparison.Ordinal));
        Assert.Equal(new[] { ours, shared }.Order(StringComparer.Ordinal), (await ListedAsync(tenantA, username)).Order(StringComparer.Ordinal));
        Assert.Empty(await ListedAsync(tenantB, username));
        Assert.False(JsonDocument.Parse((string)(await Db.StringGetAsync(ProfileKey(TestTenants.B, shared)))!).RootElement
            .TryGetProperty("createdAt", out _));

        (exit, output) = await ReindexAsync();

        Assert.True(exit == 0, output);
        Assert.Equal(new[] { shared, theirs }.Order(StringComparer.Ordinal), (await ListedAsync(tenantB, username)).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { ours, shared }.Order(StringComparer.Ordinal), (await ListedAsync(tenantA, username)).Order(StringComparer.Ordinal));
        var membersOfA = (await Db.SortedSetRangeByRankAsync(IndexKey(TestTenants.A))).Select(m => (string)m!).ToList();
        Assert.DoesNotContain(membersOfA, m => m.EndsWith(":" + theirs, StringComparison.Ordinal));
    }
}
