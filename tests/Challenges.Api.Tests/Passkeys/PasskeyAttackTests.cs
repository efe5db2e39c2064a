using System.Net;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Passkeys;

/// <summary>
/// Attacks on passkeys against a real server process and its own Redis: credentials of other users and other tenants,
/// replayed and reused challenges, phishing origins, cloned authenticators, hijacked credential ids.
/// </summary>
public sealed class PasskeyAttackTests : ServerProcessTest
{
    protected override (string Key, string Value)[] Settings =>
        [.. TestTenants.Passkeys(PasskeyKit.Origins).Select(s => (s.Key, s.Value!)), ("Tenants:0:Limits:StartsPerIpPerWindow", "100000")];

    private HttpClient Tenant(string tenantId = TestTenants.A) => PasskeyKit.TenantBasic(Server.Client(), tenantId);

    private async Task<(string UserId, JsonElement Added)> UserWithPasskeyAsync(SoftwareAuthenticator authenticator)
    {
        var userId = ApiFixture.NewUserId();
        var token = await OtpKit.TrackAsync(Admin, userId, "signUp");
        return (userId, await PasskeyKit.RegisteredAsync(Server.BearerClient(token), authenticator));
    }

    private async Task<JsonElement> ActionAsync(string userId, string action, string token)
    {
        var valid = await Admin.PostJson("/v1/validate", new { token }).Ok();
        Assert.Equal(userId, valid.Str("userId"));
        Assert.Equal(action, valid.Str("actionCode"));
        return valid;
    }

    private static bool Verified(JsonElement reply) => reply.GetProperty("isVerified").GetBoolean();

    /// <summary>A victim with a passkey, an authenticator of the attacker's that names the victim's credential id with its own key, and an attacker's user id.</summary>
    private async Task<(string Victim, SoftwareAuthenticator Victims, SoftwareAuthenticator Forged, string Attacker)> VictimAndForgeryAsync()
    {
        var victims = SoftwareAuthenticator.Ec();
        var (victim, _) = await UserWithPasskeyAsync(victims);
        var forged = SoftwareAuthenticator.Ec();
        forged.CredentialId = victims.CredentialId;
        return (victim, victims, forged, ApiFixture.NewUserId());
    }

    [Fact]
    public async Task Another_users_passkey_cannot_complete_the_attackers_action_under_a_bearer_token()
    {
        using var victims = SoftwareAuthenticator.Ec();
        await UserWithPasskeyAsync(victims);
        using var own = SoftwareAuthenticator.Ec();
        var (attacker, _) = await UserWithPasskeyAsync(own);
        var token = await OtpKit.TrackAsync(Admin, attacker, "withdraw");

        var (reply, _) = await PasskeyKit.SignInAsync(Server.BearerClient(token), victims);

        await reply.AssertError(HttpStatusCode.BadRequest, "invalid_credential");
        var action = await ActionAsync(attacker, "withdraw", token);
        Assert.False(action.GetProperty("isValid").GetBoolean());
        Assert.Equal("CHALLENGE_REQUIRED", action.Str("state"));
    }

    [Fact]
    public async Task A_replayed_sign_in_assertion_is_refused_and_signs_no_one_in()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        var (userId, _) = await UserWithPasskeyAsync(authenticator);
        var tenant = Tenant();
        var (first, body) = await PasskeyKit.SignInAsync(tenant, authenticator);
        Assert.True(Verified(await first.Json()));

        var replayed = await tenant.PostJson("/v1/client/verify/passkey", body).Ok();
        Assert.False(Verified(replayed));
        Assert.False(replayed.Has("accessToken"));

        // The same assertion against a fresh challenge: the signature is over the old one.
        var (freshId, _, _) = await PasskeyKit.AuthenticationOptionsAsync(tenant);
        body["challengeId"] = freshId;
        var moved = await tenant.PostJson("/v1/client/verify/passkey", body).Ok();
        Assert.False(Verified(moved));
        Assert.Equal("CHALLENGE_INVALID_OR_EXPIRED", moved.Str("failureReason"));
        var actions = await Admin.GetAsync($"/v1/users/{userId}/actions").Ok();
        Assert.Equal(2, actions.GetArrayLength()); // signUp, and the one sign-in
    }

    [Fact]
    public async Task An_assertion_a_phishing_page_obtained_for_its_own_origin_is_refused()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        await UserWithPasskeyAsync(authenticator);
        foreach (var origin in new[] { "https://localhost.evil.example", "http://localhost:3000.evil.example", "android:apk-key-hash:someone-else" })
        {
            var (reply, _) = await PasskeyKit.SignInAsync(Tenant(), authenticator, origin: origin);
            var refused = await reply.Json();
            Assert.False(Verified(refused));
            Assert.Equal("ORIGIN_NOT_ALLOWED", refused.Str("failureReason"));
        }
    }

    [Fact]
    public async Task A_challenge_answered_twice_at_once_signs_in_only_once()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        await UserWithPasskeyAsync(authenticator);
        var tenant = Tenant();
        var (challengeId, challenge, _) = await PasskeyKit.AuthenticationOptionsAsync(tenant);
        var bodies = Enumerable.Range(0, 6).Select(_ => new
        {
            authenticationCredential = authenticator.Assert(challenge, PasskeyKit.WebOrigin, PasskeyKit.RpId),
            challengeId,
        }).ToList();

        var replies = await Task.WhenAll(bodies.Select(b => tenant.PostJson("/v1/client/verify/passkey", b).Ok()));

        Assert.Single(replies, Verified);
    }

    [Fact]
    public async Task A_cloned_authenticator_is_flagged_by_its_sign_count_and_neither_copy_signs_in_again()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        var (userId, added) = await UserWithPasskeyAsync(authenticator);
        var tenant = Tenant();
        Assert.True(Verified(await (await PasskeyKit.SignInAsync(tenant, authenticator)).Reply.Json()));
        Assert.True(Verified(await (await PasskeyKit.SignInAsync(tenant, authenticator)).Reply.Json()));

        // The clone was copied when the counter stood at 1: its next assertion says 2, which the server has seen.
        authenticator.Counter = 1;
        var cloned = await (await PasskeyKit.SignInAsync(tenant, authenticator)).Reply.Json();
        Assert.False(Verified(cloned));
        Assert.Equal("SIGN_COUNT_REGRESSION", cloned.Str("failureReason"));

        authenticator.Counter = 100;
        Assert.False(Verified(await (await PasskeyKit.SignInAsync(tenant, authenticator)).Reply.Json()));
        Assert.Contains("may be cloned", Server.Output, StringComparison.Ordinal);
        Assert.Contains(added.Str("userAuthenticatorId"), Server.Output, StringComparison.Ordinal);
        var actions = await Admin.GetAsync($"/v1/users/{userId}/actions").Ok();
        Assert.Equal(3, actions.GetArrayLength());
    }

    [Fact]
    public async Task Another_tenant_can_neither_probe_nor_sign_in_with_a_credential_id()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        await UserWithPasskeyAsync(authenticator);
        var id = authenticator.CredentialIdText;
        await Tenant().GetAsync($"/v1/client/user-authenticators/passkey?credentialId={id}").Ok();

        await Tenant(TestTenants.B).GetAsync($"/v1/client/user-authenticators/passkey?credentialId={id}")
            .Error(HttpStatusCode.BadRequest, "invalid_credential");
        var (reply, _) = await PasskeyKit.SignInAsync(Tenant(TestTenants.B), authenticator);
        await reply.AssertError(HttpStatusCode.NotFound, "unknown_credential");
    }

    [Fact]
    public async Task Registering_someone_elses_credential_id_with_another_key_is_refused_and_their_sign_in_still_works()
    {
        var (victim, victims, forged, attacker) = await VictimAndForgeryAsync();
        using var _ = victims;
        using var __ = forged;
        var bearer = Server.BearerClient(await OtpKit.TrackAsync(Admin, attacker, "signUp"));

        var refused = await (await PasskeyKit.RegisterAsync(bearer, forged)).Json();

        Assert.False(Verified(refused));
        Assert.Equal("CREDENTIAL_ALREADY_REGISTERED", refused.Str("failureReason"));
        Assert.Equal(0, (await Admin.GetAsync($"/v1/users/{attacker}/authenticators").Ok()).GetArrayLength());
        var signedIn = await (await PasskeyKit.SignInAsync(Tenant(), victims)).Reply.Json();
        Assert.True(Verified(signedIn));
        Assert.Equal(victim, signedIn.Str("userId"));
    }

    [Fact]
    public async Task A_migration_that_names_another_users_credential_id_with_its_own_key_takes_nothing_over()
    {
        var (victim, victims, forged, attacker) = await VictimAndForgeryAsync();
        using var _ = victims;
        using var __ = forged;
        object Enrolment(SoftwareAuthenticator a) => new
        {
            verificationMethod = "PASSKEY",
            credentialId = a.CredentialIdText,
            credentialPublicKey = System.Buffers.Text.Base64Url.EncodeToString(a.CoseKey()),
        };

        await Admin.PostJson($"/v1/users/{attacker}/authenticators", Enrolment(forged)).Error(HttpStatusCode.Conflict, "conflict");
        Assert.Equal(0, (await Admin.GetAsync($"/v1/users/{attacker}/authenticators").Ok()).GetArrayLength());
        var (forgedSignIn, _) = await PasskeyKit.SignInAsync(Tenant(), forged);
        Assert.False(Verified(await forgedSignIn.Json()));

        // Tenant B's index is its own: the same id there is B's user's, and A's victim still signs in with their key.
        await Server.Client(TestTenants.BKey).PostJson($"/v1/users/{attacker}/authenticators", Enrolment(forged)).Ok();
        var (victimSignIn, _) = await PasskeyKit.SignInAsync(Tenant(), victims);
        var verified = await victimSignIn.Json();
        Assert.True(Verified(verified), verified.ToString());
        Assert.Equal(victim, verified.Str("userId"));
    }
}
