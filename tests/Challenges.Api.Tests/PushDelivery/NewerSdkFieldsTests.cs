using System.Net;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>The fields newer mobile SDKs send and read (docs/contract.md, push additions): custom data, attestation, expiry.</summary>
[Collection(ApiCollection.Name)]
public sealed class NewerSdkFieldsTests(ApiFixture fixture) : IAsyncLifetime
{
    private DirectPushServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new DirectPushServer(fixture, ("Tenants:0:Push:PublicCustomData:0", "merchant"), ("Tenants:0:Push:PublicCustomData:1", "tier"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_signed_get_pending_shows_only_the_custom_data_the_tenant_marks_public_of_the_action_and_the_user()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _server.EnrollAsync(userId, "android", FcmFake.NewDeviceToken());
        await _server.Server().PatchJson($"/v1/users/{userId}", new { custom = new { tier = "gold", ssn = "000-00-0000" } }).Ok();
        var token = (await _server.Server().PostJson($"/v1/users/{userId}/actions/signIn",
            new { custom = new { merchant = "Acme", cardNumber = "4111111111111111" } }).Ok()).Str("token");
        await _server.StartAsync(token).Ok();

        var signed = await device.GetPendingAsync();
        var unsigned = await device.GetPendingAsync(withSignature: false);

        Assert.Equal("""{"merchant":"Acme"}""", signed.GetProperty("custom").GetRawText());
        Assert.Equal("""{"tier":"gold"}""", signed.GetProperty("user").GetProperty("custom").GetRawText());
        Assert.False(unsigned.Has("custom") || unsigned.Has("user"));
        Assert.True(unsigned.GetProperty("expiresAt").GetInt64() > _server.Clock.GetUtcNow().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Attestation_evidence_is_stored_with_the_credential_and_a_malformed_one_is_refused_naming_the_field()
    {
        var userId = ApiFixture.NewUserId();
        var device = _server.NewDevice();
        var token = await _server.TrackAsync(userId, "addAuthenticator");

        await _server.Bearer(token).PostJson("/v1/client/user-authenticators/push", new
        {
            publicKey = device.PublicKey, devicePlatform = "ios", performAttestation = new { provider = "SAFETY_NET", token = "x" },
        }).Error(HttpStatusCode.BadRequest, "invalid_request");
        await _server.Bearer(token).PostJson("/v1/client/user-authenticators/push", new
        {
            publicKey = device.PublicKey, devicePlatform = "ios", performAttestation = new { provider = "APP_ATTEST", token = new string('a', 20_000) },
        }).Error(HttpStatusCode.BadRequest, "invalid_request");
        var added = await _server.Bearer(token).PostJson("/v1/client/user-authenticators/push", new
        {
            publicKey = device.PublicKey, devicePlatform = "ios", performAttestation = new { provider = "APP_ATTEST", token = "bzJtYXQ=", keyId = "kid-1" },
        }).Ok();

        Assert.True(added.TryGetProperty("expiresAt", out var expiresAt) && expiresAt.GetDateTimeOffset() > _server.Clock.GetUtcNow());
        var stored = await _server.StoredAuthenticatorAsync(userId, added.Str("userAuthenticatorId"));
        var attestation = stored.GetProperty("attestation");
        Assert.Equal(("APP_ATTEST", "bzJtYXQ=", "kid-1"), (attestation.Str("provider"), attestation.Str("token"), attestation.Str("keyId")));
    }

    [Fact]
    public async Task An_update_echoes_the_push_token_only_when_it_sent_one()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _server.EnrollAsync(userId, "android", FcmFake.NewDeviceToken());

        var withoutToken = await device.UpdateAsync(null, resetExpiry: true);
        var newToken = FcmFake.NewDeviceToken();
        var withToken = await device.UpdateAsync(newToken);

        Assert.False(withoutToken.Has("pushToken"));
        Assert.True(withoutToken.Has("expiresAt"));
        Assert.Equal(newToken, withToken.Str("pushToken"));
    }
}
