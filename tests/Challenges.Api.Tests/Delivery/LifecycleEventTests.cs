using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Delivery;

[Collection(ApiCollection.Name)]
public sealed class LifecycleEventTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    private static Func<ReceivedRequest, bool> EventFor(string type, string authenticatorId) => r =>
    {
        if (!r.BodyText.Contains(authenticatorId, StringComparison.Ordinal))
        {
            return false;
        }
        var body = JsonDocument.Parse(r.Body).RootElement;
        return body.Str("type") == type;
    };

    private async Task<(string UserId, string AuthenticatorId)> Enrol(string phone)
    {
        var userId = ApiFixture.NewUserId();
        var body = await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = phone }).Ok();
        return (userId, body.GetProperty("authenticator").Str("userAuthenticatorId"));
    }

    [Fact]
    public async Task Enrolling_an_authenticator_delivers_a_signed_authenticator_created_event()
    {
        var (userId, id) = await Enrol("+64270000101");

        var received = await fixture.Webhooks.WaitForAsync(EventFor("authenticator.created", id));

        var body = JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal(1, body.GetProperty("version").GetInt32());
        Assert.Equal(TestTenants.A, body.Str("tenantId"));
        Assert.Equal("https://challenges.test", body.Str("source"));
        Assert.True(Guid.TryParse(body.Str("id"), out _));
        var data = body.GetProperty("data");
        Assert.Equal(userId, data.Str("userId"));
        Assert.Equal("SMS", data.Str("verificationMethod"));
        Assert.All(data.EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
        Assert.True(data.Has("createdAt"));
        // tenant-a is mid-rotation: both keys sign.
        Assert.Equal(2, SignatureCheck.SignatureCount(received));
        Assert.True(SignatureCheck.IsSignedWith(received, TestTenants.AKey));
        Assert.True(SignatureCheck.IsSignedWith(received, TestTenants.AKeyRotated));
    }

    [Fact]
    public async Task Deleting_an_authenticator_or_its_user_delivers_authenticator_deleted()
    {
        var (userId, id) = await Enrol("+64270000102");
        await _server.DeleteAsync($"/v1/users/{userId}/authenticators/{id}").Ok();
        var deleted = await fixture.Webhooks.WaitForAsync(EventFor("authenticator.deleted", id));
        Assert.True(JsonDocument.Parse(deleted.Body).RootElement.GetProperty("data").Has("deletedAt"));

        var (otherUser, otherId) = await Enrol("+64270000103");
        await _server.DeleteAsync($"/v1/users/{otherUser}").Ok();
        await fixture.Webhooks.WaitForAsync(EventFor("authenticator.deleted", otherId));
    }

    [Fact]
    public async Task A_failing_receiver_gets_the_same_event_again_with_back_off_until_it_accepts()
    {
        var failing = true;
        fixture.Webhooks.Respond = r => failing && r.BodyText.Contains("authenticator.", StringComparison.Ordinal) ? (500, "{}") : (200, "{}");
        try
        {
            var (_, id) = await Enrol("+64270000104");
            var first = await fixture.Webhooks.WaitForAsync(EventFor("authenticator.created", id));
            var eventId = JsonDocument.Parse(first.Body).RootElement.Str("id");

            // Each retry waits for its back-off on the server's clock: move the clock until the next attempt arrives.
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var seen = Attempts(id);
                await AdvanceUntil(() => Task.FromResult(Attempts(id) > seen));
            }
            failing = false;
            await AdvanceUntil(async () => await Backlog() == 0);

            var attempts = fixture.Webhooks.Received.Where(EventFor("authenticator.created", id)).ToList();
            Assert.True(attempts.Count >= 5, $"{attempts.Count} attempts");
            Assert.All(attempts, a => Assert.Equal(eventId, JsonDocument.Parse(a.Body).RootElement.Str("id")));
            Assert.Equal(0, await Backlog());
        }
        finally
        {
            fixture.Webhooks.Respond = _ => (200, "{}");
        }
    }

    private int Attempts(string authenticatorId) => fixture.Webhooks.Received.Count(EventFor("authenticator.created", authenticatorId));

    /// <summary>Advances the server's clock a minute at a time until <paramref name="done"/> holds (at most 10 s of real time).</summary>
    private async Task AdvanceUntil(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "The expected delivery did not happen.");
            fixture.Clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(50);
        }
    }

    private async Task<long> Backlog() =>
        (await fixture.AnonymousClient().GetAsync("/health/ready").Ok()).GetProperty("outboxBacklog").GetInt64();
}

public sealed class OutboxBackOffTests
{
    [Fact]
    public void Delays_double_from_the_first_and_stop_at_the_maximum()
    {
        var options = new Challenges.Api.Delivery.OutboxOptions();
        Assert.Equal(TimeSpan.FromSeconds(5), options.DelayAfter(1));
        Assert.Equal(TimeSpan.FromSeconds(10), options.DelayAfter(2));
        Assert.Equal(TimeSpan.FromSeconds(80), options.DelayAfter(5));
        Assert.Equal(TimeSpan.FromMinutes(30), options.DelayAfter(20));
        Assert.Equal(TimeSpan.FromMinutes(30), options.DelayAfter(500));
    }

    [Fact]
    public void Retries_go_on_for_at_least_six_hours_before_giving_up()
    {
        var options = new Challenges.Api.Delivery.OutboxOptions();
        var elapsed = TimeSpan.Zero;
        var attempts = 0;
        while (elapsed < options.GiveUpAfter)
        {
            elapsed += options.DelayAfter(++attempts);
        }
        Assert.True(options.GiveUpAfter >= TimeSpan.FromHours(6));
        Assert.True(attempts > 20, $"{attempts} attempts");
    }
}
