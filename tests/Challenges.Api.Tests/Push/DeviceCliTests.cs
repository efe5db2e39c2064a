using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Device;

namespace Challenges.Api.Tests.Push;

/// <summary>The device CLI against the server listening on a real loopback port (Kestrel), sharing the test Redis.</summary>
[Collection(ApiCollection.Name)]
public sealed class DeviceCliTests(ApiFixture fixture) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("challenges-device-").FullName;
    private ChallengesFactory _kestrel = null!;
    private Uri _server = null!;

    public Task InitializeAsync()
    {
        var port = RedisServer.FreePort();
        // Its own clock at real time: the CLI signs removal with the real time window.
        _kestrel = new ChallengesFactory(fixture.RedisConfiguration, fixture.Webhooks.Url, TestClock.StartingNow());
        _kestrel.UseKestrel(port);
        _kestrel.StartServer();
        _server = new Uri($"http://127.0.0.1:{port}");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _kestrel.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<(int Exit, string Output, string Error)> Cli(params string[] args) => CliFor(TestTenants.A, args);

    private async Task<(int Exit, string Output, string Error)> CliFor(string tenant, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DeviceCli.RunAsync(
            [.. args, "--server", _server.ToString(), "--tenant", tenant, "--key-file", Path.Combine(_directory, tenant + "-device-key.pem")],
            output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private HttpClient ServerApi(string secretKey)
    {
        var http = new HttpClient { BaseAddress = _server };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secretKey + ":")));
        return http;
    }

    private static JsonElement LastJson(string output) =>
        JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]).RootElement.Clone();

    [Fact]
    public async Task The_device_cli_enrols_sees_and_approves_a_push_challenge_over_a_real_port()
    {
        using var http = new HttpClient { BaseAddress = _server };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TestTenants.AKey + ":")));
        var userId = ApiFixture.NewUserId();
        var registration = (await http.PostJson($"/v1/users/{userId}/actions/addAuthenticator", new { scope = "add:authenticators" }).Ok()).Str("token");

        var enrolled = await Cli("enroll", "--token", registration, "--name", "cli-phone", "--platform", "ios");
        Assert.True(enrolled.Exit == 0, enrolled.Error);
        Assert.Contains("Created a P-256 key", enrolled.Output, StringComparison.Ordinal);
        var authenticatorId = LastJson(enrolled.Output).Str("userAuthenticatorId");
        Assert.True(File.Exists(Path.Combine(_directory, TestTenants.A + "-device-key.pem")));

        var nothing = await Cli("pending");
        Assert.Equal(0, nothing.Exit);
        Assert.False(LastJson(nothing.Output).Has("challengeId"));

        var tracked = await http.PostJson($"/v1/users/{userId}/actions/signIn", new { custom = new { note = "from the cli test" } }).Ok();
        var token = tracked.Str("token");
        using var web = new HttpClient { BaseAddress = _server };
        web.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var challengeId = (await web.PostJson("/v1/client/challenge/push", new { }).Ok()).Str("challengeId");

        var pending = await Cli("pending");
        Assert.True(pending.Exit == 0, pending.Error);
        var shown = LastJson(pending.Output);
        Assert.Equal(challengeId, shown.Str("challengeId"));
        Assert.Equal(authenticatorId, shown.Str("userAuthenticatorId"));
        Assert.Equal("from the cli test", shown.GetProperty("custom").Str("note"));

        var approved = await Cli("approve");
        Assert.True(approved.Exit == 0, approved.Error);
        Assert.True(LastJson(approved.Output).GetProperty("isVerified").GetBoolean());

        var poll = await web.PostJson("/v1/client/verify/push", new { challengeId }).Ok();
        var accessToken = poll.Str("accessToken");
        Assert.True((await http.PostJson("/v1/validate", new { token = accessToken }).Ok()).GetProperty("isValid").GetBoolean());

        var again = await Cli("approve", "--challenge-id", challengeId);
        Assert.Equal(1, again.Exit);
        Assert.Contains("conflict", again.Error, StringComparison.Ordinal);

        var removed = await Cli("remove");
        Assert.True(removed.Exit == 0, removed.Error);
        Assert.Equal(authenticatorId, LastJson(removed.Output).Str("removedAuthenticatorId"));
        var gone = await Cli("pending");
        Assert.Equal(1, gone.Exit);
        Assert.Contains("invalid_credential", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_device_cli_without_a_key_file_says_to_enrol_first()
    {
        var result = await Cli("approve");
        Assert.Equal(1, result.Exit);
        Assert.Contains("run enroll first", result.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Enrols the CLI's device with the number-matching tenant and starts a push for it; returns the web app's client
    /// (its token) and the start answer, which holds the number the page shows.
    /// </summary>
    private async Task<(HttpClient Web, JsonElement Started)> StartNumberMatchingPushAsync()
    {
        using var http = ServerApi(TestTenants.MatchKey);
        var userId = ApiFixture.NewUserId();
        var registration = (await http.PostJson($"/v1/users/{userId}/actions/addAuthenticator", new { scope = "add:authenticators" }).Ok()).Str("token");
        Assert.Equal(0, (await CliFor(TestTenants.Match, "enroll", "--token", registration)).Exit);
        var token = (await http.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok()).Str("token");
        var web = new HttpClient { BaseAddress = _server };
        web.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return (web, await web.PostJson("/v1/client/challenge/push", new { }).Ok());
    }

    [Fact]
    public async Task Approve_without_a_code_under_number_matching_fails_clearly_and_leaves_the_challenge_pending()
    {
        var (web, started) = await StartNumberMatchingPushAsync();
        using var _ = web;
        var challengeId = started.Str("challengeId");

        // pending says a code is needed.
        var pending = await CliFor(TestTenants.Match, "pending");
        Assert.Equal(0, pending.Exit);
        Assert.Contains("Number matching is on: approve with --code", pending.Output, StringComparison.Ordinal);
        Assert.True(LastJson(pending.Output).GetProperty("verificationCodeRequired").GetBoolean());

        // approve without --code: refused before anything is sent, non-zero exit, the sign-in still pending.
        var refused = await CliFor(TestTenants.Match, "approve");
        Assert.Equal(1, refused.Exit);
        Assert.Contains("--code", refused.Error, StringComparison.Ordinal);
        Assert.Contains("still pending", refused.Error, StringComparison.Ordinal);
        var poll = await web.PostJson("/v1/client/verify/push", new { challengeId }).Ok();
        Assert.False(poll.GetProperty("isConsumed").GetBoolean());

        // With the number the page shows, the approval goes through.
        var approved = await CliFor(TestTenants.Match, "approve", "--code", started.Str("verificationCode"));
        Assert.True(approved.Exit == 0, approved.Error);
        Assert.True((await web.PostJson("/v1/client/verify/push", new { challengeId }).Ok()).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task An_approval_with_a_wrong_code_fails_the_command()
    {
        var (web, started) = await StartNumberMatchingPushAsync();
        web.Dispose();
        var code = started.Str("verificationCode");

        var wrong = await CliFor(TestTenants.Match, "approve", "--code", code == "00" ? "01" : "00");

        Assert.Equal(1, wrong.Exit);
        Assert.Contains("did not accept the approval", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_key_file_is_in_the_users_data_directory_not_the_working_directory()
    {
        var dataHome = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        var path = DeviceCli.DefaultKeyFile(TestTenants.A);
        Assert.True(Path.IsPathRooted(path));
        Assert.Equal(Path.Combine(dataHome, "challenges-device", TestTenants.A, "device-key.pem"), path);
        // A tenant id that is no safe path segment cannot climb out of the directory.
        var hostile = DeviceCli.DefaultKeyFile("../../etc");
        Assert.Equal(Path.Combine(dataHome, "challenges-device"), Path.GetDirectoryName(Path.GetDirectoryName(hostile)));
    }
}
