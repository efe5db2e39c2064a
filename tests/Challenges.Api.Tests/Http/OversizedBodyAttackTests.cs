using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Http;

/// <summary>
/// Bodies over the 64 KiB limit sent to a real server process: refused with 413 and the contract's body on every API,
/// whether the length is announced or streamed without one, without the server waiting for a body it will not read;
/// a streamed body of exactly the limit is still read.
/// </summary>
public sealed class OversizedBodyAttackTests : ServerProcessTest
{
    private static readonly string Big = "{\"userAgent\":\"" + new string('a', 70 * 1024) + "\"}";

    private async Task<string> TokenAsync() =>
        (await Admin.PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok()).Str("token");

    [Fact]
    public async Task A_streamed_body_over_the_limit_is_refused_with_413_on_every_api()
    {
        var token = await TokenAsync();
        await Admin.SendAsync(HttpAssertions.StreamedPost($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", Big)).Error(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await Admin.SendAsync(HttpAssertions.StreamedPost("/v1/validate", Big)).Error(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await Server.BearerClient(token).SendAsync(HttpAssertions.StreamedPost("/v1/client/verify/sms", Big)).Error(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await Server.Client(TestTenants.A).SendAsync(HttpAssertions.StreamedPost("/v1/client/user-authenticators/push/challenge", Big))
            .Error(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        // The step-up API reads its body itself and answers in its own shape.
        using var stepUp = await Server.BearerClient(token).SendAsync(HttpAssertions.StreamedPost("/stepup/challenges/push/BIOMETRIC", Big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, stepUp.StatusCode);
        Assert.Equal("payload_too_large", JsonDocument.Parse(await stepUp.Content.ReadAsStringAsync()).RootElement.Str("code"));
    }

    [Fact]
    public async Task A_streamed_body_just_within_the_limit_is_read_in_full()
    {
        // 64 KiB exactly, padded with a field the endpoint ignores.
        var prefix = "{\"idempotencyKey\":\"streamed\",\"padding\":\"";
        var body = prefix + new string('a', 64 * 1024 - prefix.Length - 2) + "\"}";
        Assert.Equal(64 * 1024, Encoding.UTF8.GetByteCount(body));

        var tracked = await Admin.SendAsync(HttpAssertions.StreamedPost($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", body)).Ok();

        Assert.Equal("streamed", tracked.Str("idempotencyKey"));
    }

    [Fact]
    public async Task An_announced_length_over_the_limit_is_refused_without_waiting_for_the_body()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, Server.Port);
        var stream = socket.GetStream();
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(TestTenants.AKey + ":"));
        var head = $"POST /v1/users/{ApiFixture.NewUserId()}/actions/signIn HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {credentials}\r\n" +
                   "Content-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        // Only the headers and one byte were sent: the answer comes without the gigabyte.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var answer = new StringBuilder();
        while (!answer.ToString().Contains("errorDescription", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }
            answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        var text = answer.ToString();
        Assert.StartsWith("HTTP/1.1 413", text, StringComparison.Ordinal);
        Assert.Contains("\"errorCode\":\"payload_too_large\"", text, StringComparison.Ordinal);
    }
}
