using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Reliability;

/// <summary>
/// Ten thousand generated hostile requests across every endpoint of the contract, against a real server process:
/// no 5xx, no hang, always the contract's error body, the server stays healthy, tenant-a's data is unchanged and the
/// logs hold no secret. The generator is seeded, so a failure can be replayed.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HostileInputTests() : ServerProcessTest()
{
    private const int Requests = 10_000;

    private static readonly (string Method, string Path, string Auth)[] Endpoints =
    [
        ("POST", "/v1/users/{u}/actions/{a}", "server"), ("GET", "/v1/users/{u}/actions/{a}/{k}", "server"),
        ("PATCH", "/v1/users/{u}/actions/{a}/{k}", "server"), ("GET", "/v1/users/{u}/actions", "server"),
        ("POST", "/v1/validate", "server"), ("POST", "/v1/challenge", "server"), ("POST", "/v1/verify", "server"),
        ("POST", "/v1/claim", "server"), ("GET", "/v1/challenges", "server"), ("POST", "/v1/challenges", "server"),
        ("GET", "/v1/users/{u}", "server"), ("PATCH", "/v1/users/{u}", "server"), ("DELETE", "/v1/users/{u}", "server"),
        ("GET", "/v1/users/{u}/authenticators", "server"), ("POST", "/v1/users/{u}/authenticators", "server"),
        ("DELETE", "/v1/users/{u}/authenticators/{k}", "server"),
        ("POST", "/v1/client/user-authenticators/sms", "client"), ("POST", "/v1/client/user-authenticators/email-otp", "client"),
        ("POST", "/v1/client/challenge/sms", "client"), ("POST", "/v1/client/challenge/email-otp", "client"),
        ("POST", "/v1/client/challenge/whatsapp", "client"), ("POST", "/v1/client/verify/sms", "client"),
        ("POST", "/v1/client/verify/email-otp", "client"), ("POST", "/v1/client/verify/whatsapp", "client"),
        ("POST", "/v1/client/challenge", "client"), ("GET", "/v1/client/user-authenticators", "client"),
        ("POST", "/v1/client/challenge/push", "client"), ("POST", "/v1/client/verify/push", "client"),
        ("POST", "/v1/client/user-authenticators/push", "client"),
        ("GET", "/v1/client/user-authenticators/push?publicKey={pk}", "device"),
        ("POST", "/v1/client/user-authenticators/push/challenge/sign?publicKey={pk}", "device"),
        ("GET", "/v1/client/user-authenticators/push/challenge?publicKey={pk}", "device"),
        ("POST", "/v1/client/user-authenticators/push/challenge", "device"),
        ("POST", "/v1/client/user-authenticators/push/remove", "device"),
        ("POST", "/v1/client/user-authenticators/push/sign?publicKey={pk}", "device"),
        ("PATCH", "/v1/client/user-authenticators/push", "device"),
        ("POST", "/stepup/challenges/push/{a}", "client"), ("GET", "/stepup/challenges/{k}", "client"),
        ("PUT", "/v1/users/{u}", "server"), ("GET", "/v1/{a}", "server"), ("OPTIONS", "/v1/client/challenge", "client"),
    ];

    [Fact]
    public async Task Ten_thousand_hostile_requests_get_clear_answers_and_change_nothing()
    {
        var admin = Server.Client(TestTenants.AKey);
        var seeded = new List<string>();
        var tokens = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var userId = ApiFixture.NewUserId();
            seeded.Add(userId);
            await admin.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = $"+6427100{i:D4}" }).Ok();
            await admin.PatchJson($"/v1/users/{userId}", new { email = $"seed{i}@example.com", custom = new { n = i } }).Ok();
            tokens.Add((await admin.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "seed", scope = "add:authenticators" }).Ok()).Str("token"));
        }
        var otherTenantToken = (await Server.Client(TestTenants.BKey).PostJson("/v1/users/intruder/actions/signIn", new { }).Ok()).Str("token");
        var before = await SnapshotAsync(admin, seeded);

        var random = new Random(20261122);
        var plans = Enumerable.Range(0, Requests).Select(_ => Plan(random, seeded, tokens, otherTenantToken)).ToList();
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var slowest = TimeSpan.Zero;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = new Uri(Server.Url), Timeout = TimeSpan.FromSeconds(20) };
        await Parallel.ForEachAsync(plans, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (plan, cancel) =>
        {
            var watch = Stopwatch.StartNew();
            using var request = plan.Build();
            try
            {
                using var response = await http.SendAsync(request, cancel);
                var body = await response.Content.ReadAsStringAsync(cancel);
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                var problem = Judge(plan, response, body);
                if (problem is not null)
                {
                    failures.Enqueue($"{plan}: {problem}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failures.Enqueue($"{plan}: {e.GetType().Name} {e.Message}");
            }
            lock (statuses)
            {
                slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers, e.g.:\n{string.Join("\n", failures.Take(15))}");
        await Server.Client().GetAsync("/health/ready").Ok();
        Assert.Equal(before, await SnapshotAsync(admin, seeded));
        ProcessSettings.AssertNoSecrets(Server.Output, [TestTenants.AKey, TestTenants.AKeyRotated, TestTenants.BKey, TestTenants.SigningKey, .. tokens]);
        Assert.DoesNotContain("Unhandled exception", Server.Output, StringComparison.Ordinal);
        Console.WriteLine($"Hostile input: {Requests} requests, statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}, slowest {slowest.TotalMilliseconds:F0} ms");
    }

    /// <summary>What must not change: the seeded users' attributes, authenticators and actions, as the API shows them.</summary>
    private static async Task<string> SnapshotAsync(HttpClient admin, IEnumerable<string> users)
    {
        var parts = new List<string>();
        foreach (var user in users)
        {
            parts.Add((await admin.GetAsync($"/v1/users/{user}").Ok()).GetRawText());
            parts.Add((await admin.GetAsync($"/v1/users/{user}/authenticators").Ok()).GetRawText());
            parts.Add((await admin.GetAsync($"/v1/users/{user}/actions").Ok()).GetRawText());
        }
        return string.Join("\n", parts);
    }

    private static string? Judge(RequestPlan plan, HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return $"status {status}: {body[..Math.Min(200, body.Length)]}";
        }
        if (plan.Method == "OPTIONS" || status == 200)
        {
            return null;
        }
        try
        {
            var json = JsonDocument.Parse(body).RootElement;
            var stepUp = plan.Path.StartsWith("/stepup", StringComparison.Ordinal);
            var ok = stepUp
                ? json.TryGetProperty("message", out _) || json.TryGetProperty("errorCode", out _) || json.TryGetProperty("code", out _)
                : json.TryGetProperty("error", out var e) && json.TryGetProperty("errorCode", out var c) && e.GetString() == c.GetString()
                  && json.TryGetProperty("errorDescription", out _);
            return ok ? null : $"status {status} without the error body: {body[..Math.Min(200, body.Length)]}";
        }
        catch (JsonException)
        {
            return $"status {status} with a body that is not JSON: {body[..Math.Min(200, body.Length)]}";
        }
    }

    private sealed record RequestPlan(string Method, string Path, string? Authorization, byte[]? Body, string? ContentType)
    {
        public HttpRequestMessage Build()
        {
            var request = new HttpRequestMessage(new HttpMethod(Method), Path);
            if (Authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", Authorization);
            }
            if (Body is not null)
            {
                request.Content = new ByteArrayContent(Body);
                if (ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }
            return request;
        }

        public override string ToString() =>
            $"{Method} {Path[..Math.Min(120, Path.Length)]} auth={Authorization?[..Math.Min(20, Authorization.Length)]} body={(Body is null ? "none" : Encoding.UTF8.GetString(Body[..Math.Min(80, Body.Length)]))}";
    }

    private static RequestPlan Plan(Random random, List<string> seeded, List<string> tokens, string otherTenantToken)
    {
        var (method, template, auth) = Endpoints[random.Next(Endpoints.Length)];
        // Credentials that work for tenant-a only ever come with inputs that cannot be valid, and never with a seeded id.
        var hostileCredentials = random.Next(3) > 0;
        string? authorization = hostileCredentials ? HostileAuthorization(random, tokens, otherTenantToken) : auth switch
        {
            "server" => Basic(TestTenants.AKey + ":"),
            "client" => "Bearer " + tokens[random.Next(tokens.Count)],
            _ => Basic(TestTenants.A + ":"),
        };
        string Id() => hostileCredentials && random.Next(2) == 0 ? seeded[random.Next(seeded.Count)] : HostileId(random);
        var path = template.Replace("{u}", Uri.EscapeDataString(Id()), StringComparison.Ordinal)
            .Replace("{a}", Uri.EscapeDataString(HostileId(random)), StringComparison.Ordinal)
            .Replace("{k}", Uri.EscapeDataString(HostileId(random)), StringComparison.Ordinal)
            .Replace("{pk}", Uri.EscapeDataString(HostileKey(random)), StringComparison.Ordinal);
        if (!hostileCredentials && method is "GET" or "DELETE" or "OPTIONS")
        {
            return new RequestPlan(method, path, authorization, null, null);
        }
        var body = hostileCredentials && random.Next(3) == 0 ? PlausibleBody(random, seeded) : MalformedBody(random);
        var contentType = random.Next(5) switch { 0 => null, 1 => "text/plain", 2 => "application/x-www-form-urlencoded", _ => "application/json" };
        return new RequestPlan(method, path, authorization, body, contentType);
    }

    private static string Basic(string text) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string HostileAuthorization(Random random, List<string> tokens, string otherTenantToken)
    {
        var token = tokens[random.Next(tokens.Count)];
        var parts = token.Split('.');
        return random.Next(12) switch
        {
            0 => "",
            1 => "Basic " + new string('A', random.Next(1, 5000)),
            2 => Basic(TestTenants.BKey + ":") + "x",
            3 => Basic("not-a-tenant:"),
            4 => "Bearer " + otherTenantToken,
            5 => "Bearer " + $"{parts[0]}.{parts[1]}.{new string(parts[2].Reverse().ToArray())}",
            6 => "Bearer " + $"{B64Url("""{"alg":"none","typ":"JWT"}""")}.{parts[1]}.",
            7 => "Bearer " + $"{B64Url("""{"alg":"HS512","typ":"JWT"}""")}.{parts[1]}.{parts[2]}",
            8 => "Bearer " + $"{parts[0]}.{B64Url("""{"sub":"x","other":{"tenantId":"tenant-a","userId":"x","actionCode":"a","idempotencyKey":"k"},"exp":99999999999}""")}.{parts[2]}",
            9 => "Bearer \u0001\u0002",
            10 => "Basic %%%",
            _ => "Digest username=\"x\"",
        };
    }

    private static string B64Url(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string HostileId(Random random) => random.Next(8) switch
    {
        0 => new string('x', random.Next(257, 2000)),
        1 => "../../etc/passwd",
        2 => "{tag}:}{",
        // A NUL in the path is refused by Kestrel itself (400, no body) before any application code: not sent here.
        3 => "a\u0001b",
        4 => "😀" + random.Next(),
        5 => "%ff%fe",
        6 => " ",
        _ => "id-" + random.Next(),
    };

    private static string HostileKey(Random random) => random.Next(6) switch
    {
        0 => "%%%not-base64",
        1 => Convert.ToBase64String(Encoding.UTF8.GetBytes("aGVsbG8=")),
        2 => Convert.ToBase64String(Encoding.UTF8.GetBytes("MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAErXNi9A1omqlQ13HkXL8W+7+Y4Y87U6h3OL7Rbkkabl1xBE7Fj9ZqU9sdQlMAty7HiX1/xr3G+gw7jjDLvPm8iWpsJemtpkd8C6WDJX0xa8sTrBmsZC2wImnn/Gmvqhl+")),
        3 => new string('A', random.Next(1, 40_000)),
        4 => "",
        _ => Convert.ToBase64String(Encoding.UTF8.GetBytes("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" + new string('Q', 86))),
    };

    /// <summary>Bodies that cannot pass: not JSON, not an object, wrong types, too deep, too big.</summary>
    private static byte[] MalformedBody(Random random)
    {
        string[] fields = ["phoneNumber", "email", "verificationCode", "challengeId", "publicKey", "signature", "approved", "state", "token",
            "verificationMethod", "action", "userId", "idempotencyKey", "scope", "custom", "deviceName", "devicePlatform", "smsChannel",
            "userAuthenticatorId", "pushToken", "resetExpiry", "isDefault", "skipVerificationCheck"];
        string[] wrongValues = ["123", "true", "[1,2]", "{\"x\":{}}", "1e999", "-0", "\"\\ud800\"", "{\"$ref\":\"#\"}"];
        return random.Next(10) switch
        {
            0 => [],
            1 => Encoding.UTF8.GetBytes("{"),
            2 => Encoding.UTF8.GetBytes(new string('[', 2000) + new string(']', 2000)),
            3 => Encoding.UTF8.GetBytes("{\"a\":\"" + new string('a', random.Next(65 * 1024, 200 * 1024)) + "\"}"),
            4 => [0xff, 0xfe, 0x00, 0x7b, 0xc3],
            5 => Encoding.UTF8.GetBytes("[{\"phoneNumber\":\"+64270000000\"}]"),
            6 => Encoding.UTF8.GetBytes("\"just a string\""),
            7 => Encoding.UTF8.GetBytes(string.Join("", Enumerable.Range(0, 200).Select(i => $"{{\"k{i}\":"))),
            _ => Encoding.UTF8.GetBytes("{" + string.Join(",", Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => $"\"{fields[random.Next(fields.Length)]}\":{wrongValues[random.Next(wrongValues.Length)]}")) + "}"),
        };
    }

    /// <summary>Well-formed bodies, sent only with hostile credentials: they must be refused on the credentials.</summary>
    private static byte[] PlausibleBody(Random random, List<string> seeded) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(random.Next(4) switch
    {
        0 => (object)new { state = "CHALLENGE_SUCCEEDED" },
        1 => new { verificationMethod = "SMS", phoneNumber = "+64279999999" },
        2 => new { email = "owned@example.com", phoneNumber = "+64279999998" },
        _ => new { challengeId = Guid.NewGuid().ToString(), userId = seeded[random.Next(seeded.Count)], verificationCode = "123456", approved = true },
    }));
}
