using System.Net;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Actions;

[Collection(ApiCollection.Name)]
public sealed class ActionLifecycleTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    private async Task<string> EnrolledUser()
    {
        var userId = ApiFixture.NewUserId();
        await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "EMAIL_OTP", email = "a@example.com" }).Ok();
        return userId;
    }

    [Fact]
    public async Task Track_with_the_same_idempotency_key_returns_the_same_action()
    {
        var userId = await EnrolledUser();
        var first = await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "idem-1" }).Ok();
        await _server.PatchJson($"/v1/users/{userId}/actions/signIn/idem-1", new { state = "REVIEW_REQUIRED" }).Ok();
        var second = await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "idem-1" }).Ok();

        Assert.Equal("idem-1", first.Str("idempotencyKey"));
        Assert.Equal("idem-1", second.Str("idempotencyKey"));
        Assert.Equal("CHALLENGE_REQUIRED", first.Str("state"));
        Assert.Equal("REVIEW_REQUIRED", second.Str("state"));
        var list = await _server.GetAsync($"/v1/users/{userId}/actions").Ok();
        Assert.Equal(1, list.GetArrayLength());
    }

    [Fact]
    public async Task Configured_outcomes_block_or_allow_whatever_the_enrolment()
    {
        var userId = await EnrolledUser();
        Assert.Equal("BLOCK", (await _server.PostJson($"/v1/users/{userId}/actions/blockedAction", new { }).Ok()).Str("state"));
        Assert.Equal("ALLOW", (await _server.PostJson($"/v1/users/{userId}/actions/allowedAction", new { }).Ok()).Str("state"));
    }

    [Fact]
    public async Task Get_action_returns_state_and_times()
    {
        var userId = await EnrolledUser();
        var tracked = await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();
        var action = await _server.GetAsync($"/v1/users/{userId}/actions/signIn/{tracked.Str("idempotencyKey")}").Ok();

        Assert.Equal("CHALLENGE_REQUIRED", action.Str("state"));
        Assert.EndsWith("Z", action.Str("createdAt"), StringComparison.Ordinal);
        Assert.Equal(action.Str("createdAt"), action.Str("stateUpdatedAt"));
        Assert.False(action.Has("verificationMethod"));
    }

    [Fact]
    public async Task Get_unknown_action_is_not_found()
    {
        await _server.GetAsync($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn/nope").Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Update_action_sets_the_state_and_moves_state_updated_at()
    {
        var userId = await EnrolledUser();
        var key = (await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok()).Str("idempotencyKey");
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));

        var updated = await _server.PatchJson($"/v1/users/{userId}/actions/signIn/{key}", new { state = "REVIEW_SUCCEEDED" }).Ok();
        var action = await _server.GetAsync($"/v1/users/{userId}/actions/signIn/{key}").Ok();

        Assert.Equal("REVIEW_SUCCEEDED", updated.Str("state"));
        Assert.Equal("REVIEW_SUCCEEDED", action.Str("state"));
        Assert.NotEqual(action.Str("createdAt"), action.Str("stateUpdatedAt"));
    }

    [Theory]
    [InlineData("""{"state":"DONE"}""", "state: must be one of")]
    [InlineData("""{}""", "state: is required")]
    [InlineData("""{"state":7}""", "state:")]
    public async Task Update_action_with_a_bad_state_is_refused(string body, string description)
    {
        var userId = await EnrolledUser();
        var key = (await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok()).Str("idempotencyKey");
        var text = await _server.PatchAsync($"/v1/users/{userId}/actions/signIn/{key}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))
            .Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains(description, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_unknown_action_is_not_found()
    {
        await _server.PatchJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn/nope", new { state = "ALLOW" })
            .Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Query_actions_filters_by_code_state_and_date_newest_first()
    {
        var userId = await EnrolledUser();
        await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "k1" }).Ok();
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        var cutoff = fixture.Clock.GetUtcNow();
        await _server.PostJson($"/v1/users/{userId}/actions/payment", new { idempotencyKey = "k2" }).Ok();
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "k3" }).Ok();
        await _server.PatchJson($"/v1/users/{userId}/actions/signIn/k3", new { state = "ALLOW" }).Ok();

        var all = await _server.GetAsync($"/v1/users/{userId}/actions").Ok();
        Assert.Equal(["k3", "k2", "k1"], all.EnumerateArray().Select(a => a.Str("idempotencyKey")));
        var signIns = await _server.GetAsync($"/v1/users/{userId}/actions?codes=signIn").Ok();
        Assert.Equal(["k3", "k1"], signIns.EnumerateArray().Select(a => a.Str("idempotencyKey")));
        var allowed = await _server.GetAsync($"/v1/users/{userId}/actions?state=ALLOW").Ok();
        Assert.Equal(["k3"], allowed.EnumerateArray().Select(a => a.Str("idempotencyKey")));
        var recent = await _server.GetAsync($"/v1/users/{userId}/actions?fromDate={Uri.EscapeDataString(cutoff.ToString("O"))}").Ok();
        Assert.Equal(["k3", "k2"], recent.EnumerateArray().Select(a => a.Str("idempotencyKey")));
        Assert.Equal("signIn", all[0].Str("actionCode"));
    }

    [Theory]
    [InlineData("fromDate=yesterday", "fromDate:")]
    [InlineData("state=MAYBE", "state:")]
    public async Task Query_actions_with_bad_filters_is_refused(string query, string field)
    {
        var text = await _server.GetAsync($"/v1/users/{ApiFixture.NewUserId()}/actions?{query}").Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith(field, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"idempotencyKey":5}""", "idempotencyKey")]
    [InlineData("""{"idempotencyKey":""}""", "idempotencyKey")]
    [InlineData("""{"redirectUrl":"not a url"}""", "redirectUrl")]
    [InlineData("""{"ipAddress":"300.1.1.1"}""", "ipAddress")]
    [InlineData("""{"scope":"add:authenticators delete:everything"}""", "scope")]
    [InlineData("""{"email":"not-an-email"}""", "email")]
    [InlineData("""{"phoneNumber":"0270000000"}""", "phoneNumber")]
    [InlineData("""{"custom":[1,2]}""", "custom")]
    [InlineData("""{"custom":"text"}""", "custom")]
    [InlineData("""{"locale":12}""", "locale")]
    [InlineData("""{"userAgent":true}""", "userAgent")]
    public async Task Track_names_the_field_that_fails_validation(string body, string field)
    {
        var text = await _server.PostRaw($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", body).Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith(field + ":", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Track_with_an_over_long_user_id_is_refused()
    {
        var text = await _server.PostJson($"/v1/users/{new string('u', 300)}/actions/signIn", new { }).Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith("userId:", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ids_with_reserved_characters_are_kept_apart()
    {
        // "a:b" + "c" and "a" + "b:c" must not share storage.
        await _server.PostJson("/v1/users/a%3Ab/actions/c", new { idempotencyKey = "x" }).Ok();
        await _server.PatchJson("/v1/users/a%3Ab/actions/c/x", new { state = "BLOCK" }).Ok();
        await _server.GetAsync("/v1/users/a/actions/b%3Ac/x").Error(HttpStatusCode.NotFound, "not_found");
        Assert.Equal("BLOCK", (await _server.GetAsync("/v1/users/a%3Ab/actions/c/x").Ok()).Str("state"));
    }
}
