using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Challenges.Api.Observability;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Challenges.Api.Tests.Push;
using Microsoft.Extensions.DependencyInjection;

namespace Challenges.Api.Tests.Storage;

/// <summary>
/// The hot requests reach the store at most twice one after the other (docs/architecture.md, "Storage"): a challenge
/// lives in its action's hash slot, so one read and one atomic write serve each of them. Counted by the server itself
/// (<c>store.round_trips</c>, by route) against the real Redis, single or cluster.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RoundTripTests(ApiFixture fixture)
{
    private readonly PushHelpers _push = new(fixture);

    [Fact]
    public async Task Every_hot_request_takes_at_most_two_round_trips_to_the_store()
    {
        using var counted = new RoundTripListener(fixture);
        var server = fixture.ServerClient();

        var appUser = ApiFixture.NewUserId();
        var secret = await Totp.TotpKit.EnrolVerifiedAsync(server, appUser);

        // SMS: a verified authenticator (its lifecycle event delivered), then track, start, verify and validate.
        var smsUser = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        await OtpKit.EnrolVerifiedAsync(server, smsUser, "SMS", phone);
        await EnrolmentDeliveredAsync(smsUser);
        var token = await OtpKit.TrackAsync(server, smsUser);
        using var sms = fixture.BearerClient(token);
        await sms.PostJson("/v1/client/challenge/sms", new { }).Ok();
        var code = OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock);
        var verified = await sms.PostJson("/v1/client/verify/sms", new { verificationCode = code }).Ok();
        await server.PostJson("/v1/validate", new { token = verified.Str("accessToken") }).Ok();

        // Push: a device, then track, start, the device's fetch and answer, the web poll, validate.
        var pushUser = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(pushUser);
        var tracked = await _push.TrackResponseAsync(pushUser);
        var challengeId = await _push.StartChallengeAsync(tracked.Str("token"));
        Assert.Equal(challengeId, (await device.GetPendingAsync()).Str("challengeId"));
        await device.AnswerAsync(challengeId, approved: true);
        var polled = await _push.PollAsync(tracked.Str("token"), challengeId).Ok();
        await server.PostJson("/v1/validate", new { token = polled.Str("accessToken") }).Ok();

        // Email magic link: an address enrolled through a first link, then track, start, the pending and the verified poll.
        var linkUser = ApiFixture.NewUserId();
        var email = OtpKit.NewEmail();
        using var enrolling = fixture.BearerClient(await OtpKit.TrackAsync(server, linkUser));
        await enrolling.PostJson("/v1/client/user-authenticators/email-magic-link", new { email }).Ok();
        using (await fixture.AnonymousClient().PostAsync(LinkSentTo(email), null))
        {
        }
        var linkToken = await OtpKit.TrackAsync(server, linkUser);
        using var link = fixture.BearerClient(linkToken);
        await link.PostJson("/v1/client/challenge/email-magic-link", null).Ok();
        Assert.False((await link.PostJson("/v1/client/verify/email-magic-link/finalize", new { }).Ok()).GetProperty("isVerified").GetBoolean());
        using (await fixture.AnonymousClient().PostAsync(LinkSentTo(email), null))
        {
        }
        Assert.True((await link.PostJson("/v1/client/verify/email-magic-link/finalize", new { }).Ok()).GetProperty("isVerified").GetBoolean());

        // Authenticator app: a verified app (enrolled above, its lifecycle event delivered), then track and verify.
        await EnrolmentDeliveredAsync(appUser);
        var app = await Totp.TotpKit.VerifyAsync(fixture.BearerClient(await OtpKit.TrackAsync(server, appUser)),
            Totp.TotpKit.Code(secret, fixture.Clock.GetUtcNow()));
        Assert.True(app.GetProperty("isVerified").GetBoolean());

        // Passkey: a user with a passkey (its lifecycle event delivered, so that the outbox does not write the user
        // meanwhile), then an MFA step (options and assertion under the tracked token); the passwordless sign-in is
        // measured on its own below.
        using var passkey = Passkeys.SoftwareAuthenticator.Ec();
        var passkeyUser = ApiFixture.NewUserId();
        await Passkeys.PasskeyKit.RegisteredAsync(fixture.BearerClient(await OtpKit.TrackAsync(server, passkeyUser, "signUp")), passkey);
        await EnrolmentDeliveredAsync(passkeyUser);
        var (mfa, _) = await Passkeys.PasskeyKit.SignInAsync(fixture.BearerClient(await OtpKit.TrackAsync(server, passkeyUser)), passkey);
        Assert.True((await mfa.Json()).GetProperty("isVerified").GetBoolean());

        // Reads of the Server API.
        await server.GetAsync($"/v1/users/{pushUser}").Ok();
        await _push.ActionAsync(pushUser, "signIn", tracked.Str("idempotencyKey"));

        string[] hot =
        [
            "POST /v1/users/{userId}/actions/{action}",
            "POST /v1/client/challenge/sms",
            "POST /v1/client/verify/sms",
            "POST /v1/client/verify/totp",
            "POST /v1/validate",
            "POST /v1/client/challenge/push",
            "GET /v1/client/user-authenticators/push/challenge",
            "POST /v1/client/user-authenticators/push/challenge",
            "POST /v1/client/verify/push",
            "POST /v1/client/challenge/email-magic-link",
            "POST /v1/client/verify/email-magic-link/finalize",
            "POST /v1/client/user-authenticators/passkey/authentication-options",
            "POST /v1/client/verify/passkey",
            "GET /v1/users/{userId}",
            "GET /v1/users/{userId}/actions/{action}/{idempotencyKey}",
        ];
        var measured = counted.ByRoute();
        Console.WriteLine("Store round trips by route: " + string.Join("; ", measured.Select(m => $"{m.Key} {string.Join("/", m.Value)}")));
        Assert.All(hot, route =>
        {
            Assert.True(measured.TryGetValue(route, out var trips), $"{route} was not measured: {string.Join(", ", measured.Keys)}");
            // At least one: every one of them reads the store, so a count of none would mean nothing was counted.
            Assert.True(trips.Min() >= 1 && trips.Max() <= 2, $"{route} took {string.Join(", ", trips)} round trips");
        });

        // A passwordless passkey sign-in (tenant Basic): the reservation and the options take two, the assertion four
        // (docs/architecture.md, "Storage": its challenge and its user, known only from the credential, share no slot).
        var mark = counted.Count;
        var tenant = Passkeys.PasskeyKit.TenantBasic(fixture.AnonymousClient());
        var reserved = await tenant.PostJson("/v1/client/challenge", new { action = "signInWithPasskey" }).Ok();
        var (signIn, _) = await Passkeys.PasskeyKit.SignInAsync(tenant, passkey, reservedId: reserved.Str("challengeId"));
        var signedIn = await signIn.Json();
        Assert.True(signedIn.GetProperty("isVerified").GetBoolean(), signedIn.ToString());
        var signInTrips = counted.Since(mark);
        Console.WriteLine("Passkey sign-in round trips: " + string.Join("; ", signInTrips.Select(m => $"{m.Route} {m.Trips}")));
        Assert.Equal(
            [("POST /v1/client/challenge", 2), ("POST /v1/client/user-authenticators/passkey/authentication-options", 2), ("POST /v1/client/verify/passkey", 4)],
            signInTrips);
    }

    private string LinkSentTo(string email) =>
        new Uri(OtpKit.Data(OtpKit.LastDelivery(fixture.Webhooks, "email.created", email, fixture.Clock)).Str("url")).PathAndQuery;

    /// <summary>
    /// Waits until the outbox has delivered the user's <c>authenticator.created</c>: its write of the user document would
    /// otherwise race a measured request and make it read again (a correct retry, but not the path measured here).
    /// </summary>
    private Task<ReceivedRequest> EnrolmentDeliveredAsync(string userId) =>
        fixture.Webhooks.WaitForAsync(r => r.BodyText.Contains(userId, StringComparison.Ordinal) &&
            r.BodyText.Contains("authenticator.created", StringComparison.Ordinal));

    /// <summary>Collects <c>store.round_trips</c> from the fixture's server only.</summary>
    private sealed class RoundTripListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Route, int Trips)> _seen = new();

        public RoundTripListener(ApiFixture fixture)
        {
            var meters = fixture.Factory.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ChallengeMetrics.MeterName && instrument.Name == "store.round_trips" &&
                    ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "route")
                    {
                        _seen.Enqueue(((string)tag.Value!, value));
                    }
                }
            });
            _listener.Start();
        }

        /// <summary>How many measurements have arrived.</summary>
        public int Count => _seen.Count;

        /// <summary>The measurements after the first <paramref name="mark"/>, in the order they arrived.</summary>
        public List<(string Route, int Trips)> Since(int mark) => _seen.Skip(mark).ToList();

        public Dictionary<string, List<int>> ByRoute() =>
            _seen.GroupBy(s => s.Route).ToDictionary(g => g.Key, g => g.Select(s => s.Trips).ToList(), StringComparer.Ordinal);

        public void Dispose() => _listener.Dispose();
    }

}
