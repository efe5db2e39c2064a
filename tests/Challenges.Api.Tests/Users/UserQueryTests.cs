using System.Net;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;

namespace Challenges.Api.Tests.Users;

/// <summary>GET /v1/users against a real server and Redis: filters, paging with its opaque cursor, tenant isolation.</summary>
[Collection(ApiCollection.Name)]
public sealed class UserQueryTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    private static string NewUsername() => "q" + Guid.NewGuid().ToString("N")[..16];

    private static async Task<string> CreateAsync(HttpClient server, string username, string? email = null)
    {
        var userId = ApiFixture.NewUserId();
        await server.PatchJson($"/v1/users/{userId}", new { username, email }).Ok();
        return userId;
    }

    internal static string Query(string query) => "/v1/users?" + query;

    /// <summary>Every page of a query, following <c>lastEvaluatedUserId</c>; <paramref name="between"/> runs after each page.</summary>
    internal static async Task<List<JsonElement>> AllPagesAsync(HttpClient server, string query, Func<int, Task>? between = null)
    {
        var users = new List<JsonElement>();
        string? cursor = null;
        for (var page = 0; page < 200; page++)
        {
            var reply = await server.GetAsync(Query(query + (cursor is null ? "" : "&lastEvaluatedUserId=" + Uri.EscapeDataString(cursor)))).Ok();
            users.AddRange(reply.GetProperty("users").EnumerateArray());
            if (!reply.Has("lastEvaluatedUserId"))
            {
                return users;
            }
            cursor = reply.Str("lastEvaluatedUserId");
            if (between is not null)
            {
                await between(page);
            }
        }
        throw new Xunit.Sdk.XunitException("The query did not reach its last page.");
    }

    [Fact]
    public async Task Paging_lists_every_user_once_while_users_are_created_between_pages()
    {
        var username = NewUsername();
        // Created in one millisecond of the test clock: pages must cut between users of the same creation time.
        var before = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            before.Add(await CreateAsync(_server, username));
        }
        var during = new List<string>();

        var listed = await AllPagesAsync(_server, $"username={username}&limit=2", async _ =>
        {
            fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
            during.Add(await CreateAsync(_server, username));
        });

        var ids = listed.Select(u => u.Str("userId")).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Subset(ids.ToHashSet(), before.ToHashSet());
        // Users created while paging come after every cursor already handed out: each is listed on a later page.
        Assert.Subset(ids.ToHashSet(), during.ToHashSet());
        Assert.All(listed, u => Assert.Equal(username, u.Str("username")));
        Assert.All(listed, u => Assert.EndsWith("Z", u.Str("createdAt"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Filters_are_exact_and_anded_and_a_deleted_user_is_not_listed()
    {
        var username = NewUsername();
        var email = OtpKit.NewEmail();
        var match = await CreateAsync(_server, username, email);
        await CreateAsync(_server, username, OtpKit.NewEmail());
        var deleted = await CreateAsync(_server, username, email);
        await _server.DeleteAsync($"/v1/users/{deleted}");

        var both = await AllPagesAsync(_server, $"username={username}&email={Uri.EscapeDataString(email.ToUpperInvariant())}");
        var byName = await AllPagesAsync(_server, $"username={username}");

        var only = Assert.Single(both);
        Assert.Equal(match, only.Str("userId"));
        Assert.False(only.GetProperty("isEnrolled").GetBoolean());
        Assert.False(only.GetProperty("emailVerified").GetBoolean());
        Assert.Equal(2, byName.Count);
        Assert.DoesNotContain(deleted, byName.Select(u => u.Str("userId")));
    }

    [Fact]
    public async Task Another_tenants_users_are_never_listed_and_its_cursors_are_refused()
    {
        var username = NewUsername();
        var ours = new[] { await CreateAsync(_server, username), await CreateAsync(_server, username) };
        var tenantB = fixture.ServerClient(TestTenants.BKey);
        var theirs = await CreateAsync(tenantB, username);

        var listed = await AllPagesAsync(_server, $"username={username}");
        var first = await _server.GetAsync(Query($"username={username}&limit=1")).Ok();
        var cursor = first.Str("lastEvaluatedUserId");

        Assert.Equal(ours.Order(), listed.Select(u => u.Str("userId")).Order());
        Assert.DoesNotContain(theirs, listed.Select(u => u.Str("userId")));
        // Tenant A's cursor, presented by tenant B, names nothing B may read.
        await tenantB.GetAsync(Query($"username={username}&lastEvaluatedUserId={Uri.EscapeDataString(cursor)}"))
            .Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData("lastEvaluatedUserId=user-123")]
    [InlineData("lastEvaluatedUserId=AAAA.BBBB")]
    [InlineData("lastEvaluatedUserId=%00")]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=ten")]
    [InlineData("limit=-1")]
    public async Task A_bad_cursor_or_limit_gets_the_contract_error(string query) =>
        await _server.GetAsync(Query(query)).Error(HttpStatusCode.BadRequest, "invalid_request");

    [Fact]
    public async Task An_altered_cursor_is_refused()
    {
        var username = NewUsername();
        await CreateAsync(_server, username);
        await CreateAsync(_server, username);
        var cursor = (await _server.GetAsync(Query($"username={username}&limit=1")).Ok()).Str("lastEvaluatedUserId");
        var parts = cursor.Split('.');
        // The position moved back to the start of time, with the MAC kept.
        var moved = Convert.ToBase64String("0000000000000:x"u8.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "." + parts[1];

        await _server.GetAsync(Query($"lastEvaluatedUserId={Uri.EscapeDataString(moved)}")).Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task The_token_filter_finds_the_tokens_user_and_refuses_a_token_that_is_not_genuine()
    {
        var userId = ApiFixture.NewUserId();
        await _server.PatchJson($"/v1/users/{userId}", new { username = NewUsername() }).Ok();
        var token = await OtpKit.TrackAsync(_server, userId);

        var found = await _server.GetAsync(Query($"token={token}")).Ok();

        Assert.Equal(userId, Assert.Single(found.GetProperty("users").EnumerateArray()).Str("userId"));
        Assert.Equal(userId, found.GetProperty("tokenPayload").Str("sub"));
        await _server.GetAsync(Query($"token={token}x")).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await fixture.ServerClient(TestTenants.BKey).GetAsync(Query($"token={token}")).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
