using System.Net;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Microsoft.Extensions.DependencyInjection;

namespace Challenges.Api.Tests.Passkeys;

/// <summary>
/// Passkeys and security keys against the server in process (real Redis, test clock), with credentials made by a
/// <see cref="SoftwareAuthenticator"/> in the web, iOS and Android encodings, and every relying-party check broken once.
/// They run as tenant B: the many sign-ins here would otherwise spend tenant A's per-address budget, which the other
/// tests of the shared server count on.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PasskeyTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient(TestTenants.BKey);

    private HttpClient Tenant(string tenantId = TestTenants.B) => PasskeyKit.TenantBasic(fixture.AnonymousClient(), tenantId);

    private async Task<JsonElement> ValidateAsync(string token) => await _server.PostJson("/v1/validate", new { token }).Ok();

    private async Task AssertValidOnceAsync(string token, string userId, string action)
    {
        var valid = await ValidateAsync(token);
        Assert.True(valid.GetProperty("isValid").GetBoolean(), valid.ToString());
        Assert.Equal("CHALLENGE_SUCCEEDED", valid.Str("state"));
        Assert.Equal(userId, valid.Str("userId"));
        Assert.Equal(action, valid.Str("actionCode"));
        Assert.Equal("PASSKEY", valid.Str("verificationMethod"));
        Assert.False((await ValidateAsync(token)).GetProperty("isValid").GetBoolean());
    }

    /// <summary>A user with a passkey of <paramref name="authenticator"/>, registered in <paramref name="encoding"/>.</summary>
    private async Task<(string UserId, JsonElement Added)> UserWithPasskeyAsync(SoftwareAuthenticator authenticator, WireEncoding encoding = WireEncoding.Web)
    {
        var userId = ApiFixture.NewUserId();
        var token = await OtpKit.TrackAsync(_server, userId, "signUp");
        return (userId, await PasskeyKit.RegisteredAsync(fixture.BearerClient(token), authenticator, encoding));
    }

    private static void AssertRefused(JsonElement reply, string reason)
    {
        Assert.False(reply.GetProperty("isVerified").GetBoolean(), reply.ToString());
        Assert.False(reply.Has("accessToken"));
        Assert.Equal(reason, reply.Str("failureReason"));
    }

    [Fact]
    public async Task Registration_options_carry_what_the_three_SDKs_decode()
    {
        var userId = ApiFixture.NewUserId();
        using var existing = SoftwareAuthenticator.Ec();
        var token = await OtpKit.TrackAsync(_server, userId, "signUp");
        await PasskeyKit.RegisteredAsync(fixture.BearerClient(token), existing);
        var more = await OtpKit.TrackAsync(_server, userId, "addPasskey", new { scope = "add:authenticators" });

        var reply = await fixture.BearerClient(more).PostJson("/v1/client/user-authenticators/passkey/registration-options/web",
            new { username = "ana@example.com", displayName = "Ana", authenticatorAttachment = "platform" }).Ok();

        Assert.Equal(36, reply.Str("challengeId").Length);
        var options = reply.GetProperty("options");
        Assert.Equal(43, options.Str("challenge").Length);
        Assert.Equal(PasskeyKit.RpId, options.GetProperty("rp").Str("id"));
        Assert.Equal("Challenges tests", options.GetProperty("rp").Str("name"));
        var user = options.GetProperty("user");
        Assert.Equal("ana@example.com", user.Str("name"));
        Assert.Equal("Ana", user.Str("displayName"));
        Assert.DoesNotContain(userId, user.Str("id"), StringComparison.Ordinal);
        Assert.Equal([-7, -257], options.GetProperty("pubKeyCredParams").EnumerateArray().Select(p => p.GetProperty("alg").GetInt32()));
        Assert.Equal(300000, options.GetProperty("timeout").GetInt64());
        Assert.Equal("none", options.Str("attestation"));
        var excluded = Assert.Single(options.GetProperty("excludeCredentials").EnumerateArray());
        Assert.Equal(existing.CredentialIdText, excluded.Str("id"));
        Assert.Equal("public-key", excluded.Str("type"));
        var selection = options.GetProperty("authenticatorSelection");
        Assert.Equal("platform", selection.Str("authenticatorAttachment"));
        Assert.Equal("required", selection.Str("residentKey"));
        Assert.True(selection.GetProperty("requireResidentKey").GetBoolean());
        Assert.Equal("required", selection.Str("userVerification"));
    }

    [Fact]
    public async Task Web_encoding_registers_a_passkey_and_verifies_it_for_MFA_with_the_token()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        var (userId, added) = await UserWithPasskeyAsync(authenticator);
        Assert.Equal(userId, added.Str("userId"));
        Assert.Equal(authenticator.CredentialIdText, added.Str("credentialId"));
        Assert.Equal("PASSKEY", added.GetProperty("userAuthenticator").Str("verificationMethod"));
        Assert.True(added.Has("accessToken"));

        var token = await OtpKit.TrackAsync(_server, userId, "withdraw");
        var bearer = fixture.BearerClient(token);
        var (_, _, options) = await PasskeyKit.AuthenticationOptionsAsync(bearer);
        Assert.Equal(PasskeyKit.RpId, options.Str("rpId"));
        Assert.Equal("required", options.Str("userVerification"));
        Assert.Equal(authenticator.CredentialIdText, Assert.Single(options.GetProperty("allowCredentials").EnumerateArray()).Str("id"));

        var (reply, _) = await PasskeyKit.SignInAsync(bearer, authenticator);
        var verified = await reply.Json();
        Assert.True(verified.GetProperty("isVerified").GetBoolean(), verified.ToString());
        Assert.Equal(userId, verified.Str("userId"));
        Assert.Equal(added.Str("userAuthenticatorId"), verified.Str("userAuthenticatorId"));
        await AssertValidOnceAsync(token, userId, "withdraw");

        var listed = await fixture.BearerClient(verified.Str("accessToken")).GetAsync("/v1/client/user-authenticators").Ok();
        var passkey = Assert.Single(listed.EnumerateArray());
        Assert.Equal(authenticator.CredentialIdText, passkey.GetProperty("webauthnCredential").Str("credentialId"));
        Assert.True(passkey.Has("lastVerifiedAt"));
    }

    [Fact]
    public async Task Ios_encoding_registers_and_signs_in_without_a_token_with_standard_base64_client_data()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        authenticator.Counts = false;
        var (userId, added) = await UserWithPasskeyAsync(authenticator, WireEncoding.Ios);

        var (reply, body) = await PasskeyKit.SignInAsync(Tenant(), authenticator, WireEncoding.Ios);
        var verified = await reply.Json();
        Assert.True(verified.GetProperty("isVerified").GetBoolean(), verified.ToString());
        Assert.Equal(userId, verified.Str("userId"));
        Assert.Equal(added.Str("userAuthenticatorId"), verified.Str("userAuthenticatorId"));
        Assert.Contains('=', ((Dictionary<string, object?>)((Dictionary<string, object?>)body["authenticationCredential"]!)["response"]!)["clientDataJSON"]!.ToString()!);
        await AssertValidOnceAsync(verified.Str("accessToken"), userId, "signInWithPasskey");

        // An authenticator that does not count (0 and 0) is not a regression.
        var (again, _) = await PasskeyKit.SignInAsync(Tenant(), authenticator, WireEncoding.Ios);
        Assert.True((await again.Json()).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Android_encoding_with_an_RSA_key_signs_in_with_a_challenge_reserved_for_an_action()
    {
        using var authenticator = SoftwareAuthenticator.Rsa();
        var (userId, _) = await UserWithPasskeyAsync(authenticator, WireEncoding.Android);
        var tenant = Tenant();
        var reserved = await tenant.PostJson("/v1/client/challenge", new { action = "login" }).Ok();

        var (reply, _) = await PasskeyKit.SignInAsync(tenant, authenticator, WireEncoding.Android, reservedId: reserved.Str("challengeId"));

        var verified = await reply.Json();
        Assert.True(verified.GetProperty("isVerified").GetBoolean(), verified.ToString());
        await AssertValidOnceAsync(verified.Str("accessToken"), userId, "login");
        // The reserved id answered its one set of options.
        await tenant.PostJson("/v1/client/user-authenticators/passkey/authentication-options", new { challengeId = reserved.Str("challengeId") })
            .Error(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task A_registration_from_an_origin_the_tenant_does_not_allow_is_refused_and_uses_up_the_challenge()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        var userId = ApiFixture.NewUserId();
        var bearer = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId, "signUp"));

        AssertRefused(await (await PasskeyKit.RegisterAsync(bearer, authenticator, origin: "https://evil.example")).Json(), "ORIGIN_NOT_ALLOWED");
        AssertRefused(await (await PasskeyKit.RegisterAsync(bearer, authenticator, origin: "http://localhost:3001")).Json(), "ORIGIN_NOT_ALLOWED");
        Assert.Equal(0, (await _server.GetAsync($"/v1/users/{userId}/authenticators").Ok()).GetArrayLength());
    }

    [Fact]
    public async Task A_credential_scoped_to_another_RP_ID_is_refused_at_registration_and_sign_in()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        var userId = ApiFixture.NewUserId();
        var bearer = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId, "signUp"));
        AssertRefused(await (await PasskeyKit.RegisterAsync(bearer, authenticator, rpId: "example.com")).Json(), "INVALID_CREDENTIAL");

        using var registered = SoftwareAuthenticator.Ec();
        await UserWithPasskeyAsync(registered);
        var (reply, _) = await PasskeyKit.SignInAsync(Tenant(), registered, rpId: "localhost.example");
        AssertRefused(await reply.Json(), "INVALID_CREDENTIAL");
    }

    [Fact]
    public async Task A_replayed_assertion_is_refused_because_its_challenge_was_used()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        var (userId, _) = await UserWithPasskeyAsync(authenticator);
        var token = await OtpKit.TrackAsync(_server, userId, "withdraw");
        var bearer = fixture.BearerClient(token);
        var (first, body) = await PasskeyKit.SignInAsync(bearer, authenticator);
        Assert.True((await first.Json()).GetProperty("isVerified").GetBoolean());

        AssertRefused(await bearer.PostJson("/v1/client/verify/passkey", body).Ok(), "CHALLENGE_INVALID_OR_EXPIRED");
    }

    [Fact]
    public async Task An_expired_challenge_is_refused()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        await UserWithPasskeyAsync(authenticator);
        var tenant = Tenant();
        var (challengeId, challenge, _) = await PasskeyKit.AuthenticationOptionsAsync(tenant);
        fixture.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var reply = await tenant.PostJson("/v1/client/verify/passkey", new
        {
            authenticationCredential = authenticator.Assert(challenge, PasskeyKit.WebOrigin, PasskeyKit.RpId),
            challengeId,
        }).Ok();

        AssertRefused(reply, "CHALLENGE_INVALID_OR_EXPIRED");
    }

    [Fact]
    public async Task A_passkey_without_user_verification_is_refused_except_in_a_conditional_create()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        authenticator.VerifiesUser = false;
        var userId = ApiFixture.NewUserId();
        var bearer = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId, "signUp"));
        AssertRefused(await (await PasskeyKit.RegisterAsync(bearer, authenticator)).Json(), "USER_VERIFICATION_REQUIRED");

        var automatic = await (await PasskeyKit.RegisterAsync(bearer, authenticator, extra: new { conditionalCreate = true })).Json();
        Assert.True(automatic.GetProperty("isVerified").GetBoolean(), automatic.ToString());

        var (reply, _) = await PasskeyKit.SignInAsync(Tenant(), authenticator);
        AssertRefused(await reply.Json(), "USER_VERIFICATION_REQUIRED");
    }

    [Fact]
    public async Task A_counter_that_goes_back_flags_the_authenticator_as_cloned_and_refuses_it_from_then_on()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        await UserWithPasskeyAsync(authenticator);
        authenticator.Counter = 10;
        Assert.True((await (await PasskeyKit.SignInAsync(Tenant(), authenticator)).Reply.Json()).GetProperty("isVerified").GetBoolean());

        authenticator.Counter = 5;
        AssertRefused(await (await PasskeyKit.SignInAsync(Tenant(), authenticator)).Reply.Json(), "SIGN_COUNT_REGRESSION");

        // Even the genuine authenticator, counting on from 11, is refused now: either could be the clone.
        authenticator.Counter = 20;
        AssertRefused(await (await PasskeyKit.SignInAsync(Tenant(), authenticator)).Reply.Json(), "SIGN_COUNT_REGRESSION");
    }

    [Fact]
    public async Task Under_a_token_another_users_passkey_is_refused_and_an_unknown_one_is_unknown_credential()
    {
        using var victims = SoftwareAuthenticator.Ec();
        await UserWithPasskeyAsync(victims);
        using var own = SoftwareAuthenticator.Ec();
        var (attacker, _) = await UserWithPasskeyAsync(own);
        var bearer = fixture.BearerClient(await OtpKit.TrackAsync(_server, attacker, "withdraw"));

        var (reply, _) = await PasskeyKit.SignInAsync(bearer, victims);
        await reply.AssertError(HttpStatusCode.BadRequest, "invalid_credential");

        using var stranger = SoftwareAuthenticator.Ec();
        (reply, _) = await PasskeyKit.SignInAsync(bearer, stranger);
        await reply.AssertError(HttpStatusCode.NotFound, "unknown_credential");
        (reply, _) = await PasskeyKit.SignInAsync(Tenant(), stranger);
        await reply.AssertError(HttpStatusCode.NotFound, "unknown_credential");
    }

    [Fact]
    public async Task The_existence_probe_answers_for_the_first_known_id_of_the_tenant_only()
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        await UserWithPasskeyAsync(authenticator);
        var id = authenticator.CredentialIdText;

        var found = await Tenant().GetAsync($"/v1/client/user-authenticators/passkey?credentialIds=AAAA,{id}").Ok();
        Assert.Equal(id, found.Str("credentialId"));
        Assert.True(found.Has("verifiedAt"));
        var mobile = await Tenant().GetAsync($"/v1/client/user-authenticators/passkey?credentialId={Convert.ToBase64String(authenticator.CredentialId).Replace("+", "%2B", StringComparison.Ordinal)}").Ok();
        Assert.Equal(id, mobile.Str("credentialId"));

        await Tenant(TestTenants.A).GetAsync($"/v1/client/user-authenticators/passkey?credentialId={id}").Error(HttpStatusCode.BadRequest, "invalid_credential");
        await Tenant().GetAsync("/v1/client/user-authenticators/passkey").Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_security_key_enrols_and_verifies_with_bare_options_and_bodies()
    {
        using var key = SoftwareAuthenticator.Ec();
        key.VerifiesUser = false;
        var userId = ApiFixture.NewUserId();
        var bearer = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId, "signUp"));

        var creation = await bearer.PostJson("/v1/client/user-authenticators/security-key/registration-options", new { }).Ok();
        Assert.Equal("cross-platform", creation.GetProperty("authenticatorSelection").Str("authenticatorAttachment"));
        var added = await bearer.PostJson("/v1/client/user-authenticators/security-key",
            key.Register(creation.Str("challenge"), PasskeyKit.WebOrigin, PasskeyKit.RpId)).Ok();
        Assert.True(added.GetProperty("isVerified").GetBoolean(), added.ToString());

        var token = await OtpKit.TrackAsync(_server, userId, "withdraw");
        var mfa = fixture.BearerClient(token);
        var request = await mfa.PostJson("/v1/client/user-authenticators/security-key/authentication-options", new { }).Ok();
        Assert.Equal(key.CredentialIdText, Assert.Single(request.GetProperty("allowCredentials").EnumerateArray()).Str("id"));
        var verified = await mfa.PostJson("/v1/client/verify/security-key", key.Assert(request.Str("challenge"), PasskeyKit.WebOrigin, PasskeyKit.RpId)).Ok();
        Assert.True(verified.GetProperty("isVerified").GetBoolean(), verified.ToString());
        var valid = await ValidateAsync(token);
        Assert.Equal("SECURITY_KEY", valid.Str("verificationMethod"));

        // A security key is not a passkey: it does not sign in without a token.
        var (reply, _) = await PasskeyKit.SignInAsync(Tenant(), key);
        await reply.AssertError(HttpStatusCode.NotFound, "unknown_credential");
    }

    [Fact]
    public async Task Malformed_credentials_get_invalid_request()
    {
        var userId = ApiFixture.NewUserId();
        var bearer = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId, "signUp"));
        await bearer.PostJson("/v1/client/user-authenticators/passkey", new { challengeId = "x" }).Error(HttpStatusCode.BadRequest, "invalid_request");
        await bearer.PostJson("/v1/client/user-authenticators/passkey", new
        {
            challengeId = "x",
            registrationCredential = new { id = "!!", response = new { clientDataJSON = "e30", attestationObject = "oA" } },
        }).Error(HttpStatusCode.BadRequest, "invalid_request");
        await Tenant().PostJson("/v1/client/verify/passkey", new { challengeId = "x", authenticationCredential = new { id = "AAAA", response = new { } } })
            .Error(HttpStatusCode.BadRequest, "invalid_request");
        await Tenant().PostJson("/v1/client/verify/passkey", new
        {
            challengeId = "not-a-challenge",
            authenticationCredential = new { id = "AAAA", response = new { clientDataJSON = "e30", authenticatorData = "AAAA", signature = "AAAA" } },
        }).Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Batch_enrolment_adds_verified_passkeys_that_sign_in_and_reports_each_failed_item()
    {
        using var migrated = SoftwareAuthenticator.Ec();
        using var rsa = SoftwareAuthenticator.Rsa();
        using var held = SoftwareAuthenticator.Ec();
        var (holder, _) = await UserWithPasskeyAsync(held);
        var userId = ApiFixture.NewUserId();
        static object Item(string userId, SoftwareAuthenticator a, string? key = null) => new
        {
            userId,
            verificationMethod = "PASSKEY",
            credentialId = a.CredentialIdText,
            credentialPublicKey = key ?? System.Buffers.Text.Base64Url.EncodeToString(a.CoseKey()),
            name = "Migrated passkey",
            transports = new[] { "internal" },
        };

        var reply = await _server.PostJson("/v1/users/authenticators", new
        {
            authenticators = new[]
            {
                Item(userId, migrated), Item(userId, rsa), Item(userId, migrated), Item(userId, held), Item(userId, SoftwareAuthenticator.Ec(), "pQECAyYg"),
                Item(holder, held),
            },
        }).Ok();

        Assert.Equal(6, reply.GetProperty("total").GetInt32());
        Assert.Equal(4, reply.GetProperty("succeeded").GetInt32());
        Assert.Equal(2, reply.GetProperty("failed").GetInt32());
        var failures = reply.GetProperty("failures").EnumerateArray().ToList();
        Assert.Equal(["conflict", "invalid_request"], failures.Select(f => f.Str("errorCode")).Order());
        Assert.Equal(held.CredentialIdText, failures.Single(f => f.Str("errorCode") == "conflict").Str("credentialId"));
        var listed = await _server.GetAsync($"/v1/users/{userId}/authenticators").Ok();
        Assert.Equal(2, listed.GetArrayLength());
        Assert.All(listed.EnumerateArray(), a => Assert.True(a.Has("verifiedAt")));

        var (signedIn, _) = await PasskeyKit.SignInAsync(Tenant(), rsa);
        var verified = await signedIn.Json();
        Assert.True(verified.GetProperty("isVerified").GetBoolean(), verified.ToString());
        Assert.Equal(userId, verified.Str("userId"));

        await _server.PostJson("/v1/users/authenticators", new { authenticators = Array.Empty<object>() }).Error(HttpStatusCode.BadRequest, "invalid_request");
        await _server.PostJson("/v1/users/authenticators", new { }).Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    /// <summary>The Server API's single enrolment body for <paramref name="authenticator"/>'s credential (the node SDK posts its attributes as they are).</summary>
    private static Dictionary<string, object?> Enrolment(SoftwareAuthenticator authenticator, long? counter = null) => new()
    {
        ["verificationMethod"] = "PASSKEY",
        ["credentialId"] = authenticator.CredentialIdText,
        ["credentialPublicKey"] = System.Buffers.Text.Base64Url.EncodeToString(authenticator.CoseKey()),
        ["counter"] = counter,
        ["name"] = "Migrated passkey",
        ["transports"] = new[] { "internal", "hybrid" },
        ["aaguid"] = "08987058-cadc-4b81-b6e1-30de50dcbe96",
    };

    [Fact]
    public async Task Single_enrolment_adds_a_verified_passkey_with_recovery_codes_that_signs_in_and_is_the_same_authenticator_when_sent_again()
    {
        using var migrated = SoftwareAuthenticator.Ec();
        migrated.Counter = 41;
        var userId = ApiFixture.NewUserId();

        var reply = await _server.PostJson($"/v1/users/{userId}/authenticators", Enrolment(migrated, counter: 41)).Ok();

        var authenticator = reply.GetProperty("authenticator");
        Assert.Equal("PASSKEY", authenticator.Str("verificationMethod"));
        Assert.True(authenticator.Has("verifiedAt"));
        Assert.Equal("Migrated passkey", authenticator.Str("displayName"));
        var credential = authenticator.GetProperty("webauthnCredential");
        Assert.Equal(migrated.CredentialIdText, credential.Str("credentialId"));
        Assert.Equal("08987058-cadc-4b81-b6e1-30de50dcbe96", credential.Str("aaguid"));
        Assert.Equal(["internal", "hybrid"], credential.GetProperty("transports").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(10, reply.GetProperty("recoveryCodes").GetArrayLength());

        var (signedIn, _) = await PasskeyKit.SignInAsync(Tenant(), migrated);
        var verified = await signedIn.Json();
        Assert.True(verified.GetProperty("isVerified").GetBoolean(), verified.ToString());
        Assert.Equal(userId, verified.Str("userId"));
        Assert.Equal(authenticator.Str("userAuthenticatorId"), verified.Str("userAuthenticatorId"));

        var again = await _server.PostJson($"/v1/users/{userId}/authenticators", Enrolment(migrated)).Ok();
        Assert.Equal(authenticator.Str("userAuthenticatorId"), again.GetProperty("authenticator").Str("userAuthenticatorId"));
        Assert.False(again.Has("recoveryCodes"));
        Assert.Single((await _server.GetAsync($"/v1/users/{userId}/authenticators").Ok()).EnumerateArray(),
            a => a.Str("verificationMethod") == "PASSKEY");
    }

    [Fact]
    public async Task Single_enrolment_keeps_the_other_providers_counter_so_an_older_copy_is_refused_as_cloned()
    {
        using var copy = SoftwareAuthenticator.Ec();
        var userId = ApiFixture.NewUserId();
        await _server.PostJson($"/v1/users/{userId}/authenticators", Enrolment(copy, counter: 50)).Ok();

        copy.Counter = 10;
        var (reply, _) = await PasskeyKit.SignInAsync(Tenant(), copy);
        AssertRefused(await reply.Json(), "SIGN_COUNT_REGRESSION");
    }

    [Theory]
    [InlineData("credentialId", null, "credentialId")]
    [InlineData("credentialId", "", "credentialId")]
    [InlineData("credentialId", "!!not base64!!", "credentialId")]
    [InlineData("credentialPublicKey", null, "credentialPublicKey")]
    [InlineData("credentialPublicKey", "pQECAyYg", "credentialPublicKey")]
    [InlineData("credentialPublicKey", "AAAAAAAAAAAAAAAA", "credentialPublicKey")]
    [InlineData("credentialPublicKey", "%%%", "credentialPublicKey")]
    [InlineData("aaguid", "not-a-uuid", "aaguid")]
    public async Task Single_enrolment_refuses_a_missing_or_garbled_credential_field_and_enrols_nothing(string field, string? value, string named)
    {
        using var authenticator = SoftwareAuthenticator.Ec();
        var userId = ApiFixture.NewUserId();
        var body = Enrolment(authenticator);
        body[field] = value;

        var description = await _server.PostJson($"/v1/users/{userId}/authenticators", body).Error(HttpStatusCode.BadRequest, "invalid_request");

        Assert.Contains(named, description, StringComparison.Ordinal);
        Assert.Equal(0, (await _server.GetAsync($"/v1/users/{userId}/authenticators").Ok()).GetArrayLength());
    }

    [Theory]
    [InlineData("""{"verificationMethod":"PASSKEY","credentialId":"AAAA","credentialPublicKey":"AAAA","counter":"many"}""")]
    [InlineData("""{"verificationMethod":"PASSKEY","credentialId":"AAAA","credentialPublicKey":"AAAA","counter":-1}""")]
    [InlineData("""{"verificationMethod":"PASSKEY","credentialId":"AAAA","credentialPublicKey":"AAAA","counter":4294967296}""")]
    [InlineData("""{"verificationMethod":"PASSKEY","credentialId":"AAAA","credentialPublicKey":"AAAA","counter":1e400}""")]
    [InlineData("""{"verificationMethod":"PASSKEY","credentialId":12345,"credentialPublicKey":"AAAA"}""")]
    [InlineData("""{"verificationMethod":"PASSKEY","credentialId":"AAAA","credentialPublicKey":{"kty":2}}""")]
    [InlineData("""{"verificationMethod":"PASSKEY","credentialId":"AAAA","credentialPublicKey":"AAAA","transports":"internal"}""")]
    [InlineData("""{"verificationMethod":"PASSKEY","credentialId":"AAAA","credentialPublicKey":"AAAA","name":["a"]}""")]
    public async Task Single_enrolment_refuses_wrongly_typed_fields_with_the_contract_error(string body)
    {
        await _server.PostRaw($"/v1/users/{ApiFixture.NewUserId()}/authenticators", body).Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Single_enrolment_stays_within_the_tenants_caps_and_refuses_another_users_credential()
    {
        var userId = ApiFixture.NewUserId();
        var held = new List<SoftwareAuthenticator>();
        for (var i = 0; i < 5; i++)
        {
            held.Add(SoftwareAuthenticator.Ec());
            await _server.PostJson($"/v1/users/{userId}/authenticators", Enrolment(held[^1])).Ok();
        }
        using var sixth = SoftwareAuthenticator.Ec();
        var refused = await _server.PostJson($"/v1/users/{userId}/authenticators", Enrolment(sixth)).Error(HttpStatusCode.Conflict, "conflict");
        Assert.Contains("5 PASSKEY authenticators", refused, StringComparison.Ordinal);
        await _server.PostJson($"/v1/users/{userId}/authenticators", Enrolment(held[0])).Ok();

        var other = ApiFixture.NewUserId();
        var taken = await _server.PostJson($"/v1/users/{other}/authenticators", Enrolment(held[1])).Error(HttpStatusCode.Conflict, "conflict");
        Assert.Contains("another user holds this credential", taken, StringComparison.Ordinal);
        Assert.Equal(0, (await _server.GetAsync($"/v1/users/{other}/authenticators").Ok()).GetArrayLength());
        held.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task Batch_enrolment_issues_no_recovery_codes_it_could_not_show()
    {
        using var batched = SoftwareAuthenticator.Ec();
        var userId = ApiFixture.NewUserId();
        var item = Enrolment(batched);
        item["userId"] = userId;
        var batch = await _server.PostJson("/v1/users/authenticators", new { authenticators = new[] { item } }).Ok();
        Assert.Equal(1, batch.GetProperty("succeeded").GetInt32());

        var codes = fixture.Factory.Services.GetRequiredService<Challenges.Api.RecoveryCodes.RecoveryCodeStore>();
        Assert.Null(await codes.ReadAsync(TestTenants.B, userId));
    }
}
