using System.Net;
using System.Text;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Http;

/// <summary>
/// Every JSON answer says <c>Content-Type: application/json</c> exactly, with no charset: Authsignal's Python SDK reads
/// a reply only then. A sweep over a real server process: each API family's successes, the contract's error bodies
/// from handlers, middleware, authentication and the framework (400, 401, 403, 404, 405, 413 announced and streamed,
/// 429, 503), the step-up API's own shapes, health and the OpenAPI document.
/// </summary>
public sealed class JsonContentTypeTests : ServerProcessTest
{
    protected override (string Key, string Value)[] Settings => [("OpenApi:Enabled", "true")];

    private readonly List<string> _wrong = [];

    /// <summary>Sends one request and notes it when its status is not <paramref name="status"/> or its type not exactly JSON.</summary>
    private async Task<string> Expect(string what, HttpStatusCode status, Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        var type = response.Content.Headers.TryGetValues("Content-Type", out var values) ? string.Join(", ", values) : "(none)";
        if (response.StatusCode != status || type != "application/json")
        {
            _wrong.Add($"{what}: {(int)response.StatusCode} {type} {body[..Math.Min(body.Length, 120)]}");
        }
        return body;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? body = null) =>
        new(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };

    [Fact]
    public async Task Every_json_answer_says_exactly_application_json()
    {
        var admin = Admin;
        var anonymous = Server.Client();
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();

        // Health and the OpenAPI document.
        await Expect("live", HttpStatusCode.OK, anonymous.GetAsync("/health/live"));
        await Expect("ready", HttpStatusCode.OK, anonymous.GetAsync("/health/ready"));
        await Expect("openapi", HttpStatusCode.OK, anonymous.GetAsync("/swagger/v1/swagger.json"));

        // Server API successes.
        var tracked = Json(await Expect("track", HttpStatusCode.OK, admin.PostJson($"/v1/users/{userId}/actions/signIn", new { })));
        var token = tracked.Str("token");
        var key = tracked.Str("idempotencyKey");
        await Expect("get user", HttpStatusCode.OK, admin.GetAsync($"/v1/users/{userId}"));
        await Expect("get action", HttpStatusCode.OK, admin.GetAsync($"/v1/users/{userId}/actions/signIn/{key}"));
        await Expect("query actions", HttpStatusCode.OK, admin.GetAsync($"/v1/users/{userId}/actions"));
        await Expect("validate", HttpStatusCode.OK, admin.PostJson("/v1/validate", new { token }));
        var started = Json(await Expect("initiate", HttpStatusCode.OK,
            admin.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone })));
        await Expect("get challenge", HttpStatusCode.OK, admin.GetAsync($"/v1/challenges?challengeId={started.Str("challengeId")}"));
        await Expect("server verify", HttpStatusCode.OK, admin.PostJson("/v1/verify",
            new { challengeId = started.Str("challengeId"), verificationCode = OtpKit.CodeSentTo(Webhooks, "sms.created", phone, TimeProvider.System) }));
        await Expect("authenticators", HttpStatusCode.OK, admin.GetAsync($"/v1/users/{userId}/authenticators"));

        // Client API successes (Bearer) and the device API (tenant Basic).
        var client = Server.BearerClient(token);
        var enrolPhone = OtpKit.NewPhone();
        await Expect("client enrol sms", HttpStatusCode.OK, client.PostJson("/v1/client/user-authenticators/sms", new { phoneNumber = enrolPhone }));
        await Expect("client list", HttpStatusCode.OK, client.GetAsync("/v1/client/user-authenticators"));
        await Expect("client verify sms", HttpStatusCode.OK, client.PostJson("/v1/client/verify/sms",
            new { verificationCode = OtpKit.CodeSentTo(Webhooks, "sms.created", enrolPhone, TimeProvider.System) }));
        var device = Server.Client(TestTenants.A);
        var phone2 = Server.NewDevice(TestTenants.A);
        var enrolToken = Json(await Expect("track to enrol a device", HttpStatusCode.OK,
            admin.PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/enrol", new { scope = "add:authenticators" }))).Str("token");
        await phone2.AddCredentialAsync(enrolToken, "phone", "android");
        await Expect("device credential", HttpStatusCode.OK, device.GetAsync("/v1/client/user-authenticators/push?publicKey=" + Uri.EscapeDataString(phone2.QueryKey)));
        await Expect("device fetch", HttpStatusCode.OK, device.GetAsync("/v1/client/user-authenticators/push/challenge?publicKey=" + Uri.EscapeDataString(phone2.QueryKey)));
        await Expect("device fetch of an unknown key", HttpStatusCode.BadRequest,
            device.GetAsync("/v1/client/user-authenticators/push/challenge?publicKey=" + Uri.EscapeDataString(Server.NewDevice(TestTenants.A).QueryKey)));

        // Step-up API: its own error shapes.
        await Expect("step-up without credentials", HttpStatusCode.Unauthorized, anonymous.PostAsync("/stepup/challenges/push/BIOMETRIC", null));
        await Expect("step-up of another user", HttpStatusCode.Forbidden,
            Server.BearerClient(token).SendAsync(Request(HttpMethod.Post, "/stepup/challenges/push/BIOMETRIC", """{"userId":"someone-else"}""")));
        await Expect("step-up unknown id", HttpStatusCode.NotFound, WithApiKey(anonymous).GetAsync($"/stepup/challenges/{Guid.NewGuid()}?userId={userId}"));

        // Errors: from validation, authentication, routing, the request guard and the framework.
        await Expect("400 validation", HttpStatusCode.BadRequest, admin.PostJson("/v1/validate", new { }));
        await Expect("400 unreadable JSON", HttpStatusCode.BadRequest, admin.PostRaw($"/v1/users/{userId}/actions/signIn", "{"));
        await Expect("401 server API", HttpStatusCode.Unauthorized, anonymous.GetAsync($"/v1/users/{userId}"));
        await Expect("401 client API", HttpStatusCode.Unauthorized, Server.BearerClient("not.a.token").GetAsync("/v1/client/user-authenticators"));
        await Expect("401 device API", HttpStatusCode.Unauthorized, Server.Client("no-such-tenant").GetAsync("/v1/client/user-authenticators/push/challenge?publicKey=x"));
        await Expect("403 enrol without scope", HttpStatusCode.Forbidden,
            Server.BearerClient(token).PostJson("/v1/client/user-authenticators/sms", new { phoneNumber = OtpKit.NewPhone() }));
        await Expect("404 route", HttpStatusCode.NotFound, admin.GetAsync("/v1/nothing-here"));
        await Expect("404 action", HttpStatusCode.NotFound, admin.GetAsync($"/v1/users/{userId}/actions/signIn/no-such-key"));
        await Expect("405", HttpStatusCode.MethodNotAllowed, admin.PutAsync($"/v1/users/{userId}", null));
        var big = "{\"userAgent\":\"" + new string('a', 70 * 1024) + "\"}";
        await Expect("413 announced", HttpStatusCode.RequestEntityTooLarge, admin.PostRaw($"/v1/users/{userId}/actions/signIn", big));
        await Expect("413 streamed", HttpStatusCode.RequestEntityTooLarge, admin.SendAsync(HttpAssertions.StreamedPost($"/v1/users/{userId}/actions/signIn", big)));
        await Expect("413 streamed to step-up", HttpStatusCode.RequestEntityTooLarge,
            Server.BearerClient(token).SendAsync(HttpAssertions.StreamedPost("/stepup/challenges/push/BIOMETRIC", big)));
        var limited = Json(await Expect("initiate for 429", HttpStatusCode.OK,
            admin.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone() }))).Str("challengeId");
        HttpStatusCode last = 0;
        for (var i = 0; i <= 10 && last != HttpStatusCode.TooManyRequests; i++)
        {
            using var response = await admin.PostJson("/v1/verify", new { challengeId = limited, verificationCode = "000000" });
            last = response.StatusCode;
        }
        await Expect("429", HttpStatusCode.TooManyRequests, admin.PostJson("/v1/verify", new { challengeId = limited, verificationCode = "000000" }));

        // Not JSON, and left as it is.
        using (var page = await anonymous.GetAsync("/hosted/hosted.js"))
        {
            Assert.Equal("text/javascript; charset=utf-8", page.Content.Headers.ContentType?.ToString());
        }

        Redis.Stop();
        await Expect("503", HttpStatusCode.ServiceUnavailable, admin.GetAsync($"/v1/users/{userId}"));
        await Expect("503 ready", HttpStatusCode.ServiceUnavailable, anonymous.GetAsync("/health/ready"));

        Assert.True(_wrong.Count == 0, "Not answered as expected with exactly application/json:\n" + string.Join("\n", _wrong));
    }

    private static System.Text.Json.JsonElement Json(string body) => System.Text.Json.JsonDocument.Parse(body).RootElement.Clone();

    private static HttpClient WithApiKey(HttpClient client)
    {
        client.DefaultRequestHeaders.TryAddWithoutValidation("api-key", TestTenants.AKey);
        return client;
    }
}
