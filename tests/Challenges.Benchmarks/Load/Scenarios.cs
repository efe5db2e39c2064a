using System.Globalization;
using System.Text.Json;

namespace Challenges.Benchmarks.Load;

/// <summary>A kind of lifecycle a virtual user repeats: set up once per user, then run again and again.</summary>
internal abstract class Scenario
{
    public abstract string Name { get; }

    public virtual Task SetupAsync(LoadContext context, VirtualUser user, CancellationToken cancel) => Task.CompletedTask;

    public abstract Task RunAsync(LoadContext context, VirtualUser user, CancellationToken cancel);

    public static Scenario Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "baseline" => new BaselineScenario(),
        "server" => new ServerScenario(),
        "otp" => new OtpScenario(),
        "push" => new PushScenario(),
        var other => throw new ArgumentException($"Unknown scenario '{other}': use baseline, server, otp or push."),
    };

    protected static async Task<(string Token, string IdempotencyKey, string State)> TrackAsync(LoadContext context,
        VirtualUser user, string action, object body, CancellationToken cancel)
    {
        var tracked = await context.Api.SendAsync(EndpointNames.Track, HttpMethod.Post,
            $"/v1/users/{Uri.EscapeDataString(user.UserId)}/actions/{action}", context.Server, body, cancel);
        return (Str(tracked, "token"), Str(tracked, "idempotencyKey"), Str(tracked, "state"));
    }

    protected static async Task ValidateAsync(LoadContext context, string token, bool expectValid, CancellationToken cancel)
    {
        var validated = await context.Api.SendAsync(EndpointNames.Validate, HttpMethod.Post, "/v1/validate", context.Server,
            new { token }, cancel);
        if (validated.GetProperty("isValid").GetBoolean() != expectValid)
        {
            throw new LifecycleFailedException($"validate: isValid was not {expectValid}");
        }
    }

    protected static string Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new LifecycleFailedException($"answer has no string '{name}'");

    protected static bool Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}

/// <summary>The trivial endpoint every other rate is compared with.</summary>
internal sealed class BaselineScenario : Scenario
{
    public override string Name => "baseline";

    public override Task RunAsync(LoadContext context, VirtualUser user, CancellationToken cancel) =>
        context.Api.SendAsync(EndpointNames.Baseline, HttpMethod.Get, "/health/live", null, null, cancel);
}

/// <summary>Server API without challenges: track, get the action, validate its token (not valid: no challenge), get the user.</summary>
internal sealed class ServerScenario : Scenario
{
    public override string Name => "server";

    public override async Task RunAsync(LoadContext context, VirtualUser user, CancellationToken cancel)
    {
        var (token, key, _) = await TrackAsync(context, user, "benchServer", new { }, cancel);
        var userPath = Uri.EscapeDataString(user.UserId);
        await context.Api.SendAsync(EndpointNames.GetAction, HttpMethod.Get,
            $"/v1/users/{userPath}/actions/benchServer/{Uri.EscapeDataString(key)}", context.Server, null, cancel);
        await ValidateAsync(context, token, expectValid: false, cancel);
        await context.Api.SendAsync(EndpointNames.GetUser, HttpMethod.Get, $"/v1/users/{userPath}", context.Server, null, cancel);
    }
}

/// <summary>
/// Client OTP by SMS (docs/contract.md §3.1): track → start → the code from the synchronous <c>sms.created</c> webhook →
/// verify → validate the access token. Each user gets a verified SMS authenticator once, through the Server API.
/// </summary>
internal sealed class OtpScenario : Scenario
{
    private static int _phones;

    public override string Name => "otp";

    public override Task SetupAsync(LoadContext context, VirtualUser user, CancellationToken cancel) =>
        context.Webhooks is null
            ? throw new FeatureMissingException("the OTP scenario needs the webhook receiver (--webhook-port)")
            : EnrolAsync(context, user, cancel);

    /// <summary>Gives the user a verified SMS authenticator through the Server API.</summary>
    public static async Task EnrolAsync(LoadContext context, VirtualUser user, CancellationToken cancel)
    {
        // A distinct number per user keeps the per-destination send limit per user.
        user.PhoneNumber = "+1555" + (Interlocked.Increment(ref _phones) % 10_000_000).ToString("D7", CultureInfo.InvariantCulture);
        await context.Api.SendAsync("setup: POST /v1/users/{userId}/authenticators (SMS)", HttpMethod.Post,
            $"/v1/users/{Uri.EscapeDataString(user.UserId)}/authenticators", context.Server,
            new { verificationMethod = "SMS", phoneNumber = user.PhoneNumber }, cancel);
    }

    public override async Task RunAsync(LoadContext context, VirtualUser user, CancellationToken cancel)
    {
        var (token, key, state) = await TrackAsync(context, user, "benchOtp", new { }, cancel);
        if (state != "CHALLENGE_REQUIRED")
        {
            throw new LifecycleFailedException($"track: state {state}, not CHALLENGE_REQUIRED");
        }
        var bearer = LoadContext.Bearer(token);
        var code = context.Webhooks!.CodeFor(user.UserId, key);
        try
        {
            await context.Api.SendAsync(EndpointNames.SmsStart, HttpMethod.Post, "/v1/client/challenge/sms", bearer, new { }, cancel);
            var received = await code.WaitAsync(TimeSpan.FromSeconds(10), cancel);
            var verified = await context.Api.SendAsync(EndpointNames.SmsVerify, HttpMethod.Post, "/v1/client/verify/sms", bearer,
                new { verificationCode = received }, cancel);
            if (!Flag(verified, "isVerified"))
            {
                throw new LifecycleFailedException("verify/sms: isVerified false");
            }
            await ValidateAsync(context, Str(verified, "accessToken"), expectValid: true, cancel);
        }
        catch (TimeoutException)
        {
            throw new LifecycleFailedException("sms.created webhook did not arrive within 10 s");
        }
        finally
        {
            context.Webhooks.Forget(user.UserId, key);
        }
    }
}

/// <summary>
/// Push (docs/contract.md §3.2, §3.3): each user enrols a P-256 device key once; then track → start → the device fetches the
/// pending challenge → signed approval → the web side polls verify → validate the access token.
/// </summary>
internal sealed class PushScenario : Scenario
{
    public override string Name => "push";

    public override Task SetupAsync(LoadContext context, VirtualUser user, CancellationToken cancel) => EnrolAsync(context, user, cancel);

    /// <summary>Enrols a new P-256 device key for the user, as the mobile SDKs do after an add:authenticators track.</summary>
    public static async Task EnrolAsync(LoadContext context, VirtualUser user, CancellationToken cancel)
    {
        var (token, _, _) = await TrackAsync(context, user, "benchEnrol", new { scope = "add:authenticators" }, cancel);
        user.Key = new DeviceKey();
        await context.Api.SendAsync("setup: POST /v1/client/user-authenticators/push", HttpMethod.Post,
            "/v1/client/user-authenticators/push", LoadContext.Bearer(token),
            new { publicKey = user.Key.PublicKey, deviceName = "benchmark", devicePlatform = "android" }, cancel);
    }

    public override async Task RunAsync(LoadContext context, VirtualUser user, CancellationToken cancel)
    {
        var device = user.Key!;
        var (token, _, state) = await TrackAsync(context, user, "benchPush", new { }, cancel);
        if (state != "CHALLENGE_REQUIRED")
        {
            throw new LifecycleFailedException($"track: state {state}, not CHALLENGE_REQUIRED");
        }
        var bearer = LoadContext.Bearer(token);
        var started = await context.Api.SendAsync(EndpointNames.PushStart, HttpMethod.Post, "/v1/client/challenge/push",
            bearer, new { }, cancel);
        var challengeId = Str(started, "challengeId");

        var pending = await context.Api.SendAsync(EndpointNames.DeviceFetch, HttpMethod.Get,
            "/v1/client/user-authenticators/push/challenge?publicKey=" + device.QueryValue, context.Device, null, cancel);
        if (!pending.TryGetProperty("challengeId", out var fetched) || fetched.GetString() != challengeId)
        {
            throw new LifecycleFailedException("device fetch: the started challenge is not pending for the device");
        }

        // The answer's isVerified is not judged here: the poll below is what tells the web page the outcome.
        await context.Api.SendAsync(EndpointNames.DeviceAnswer, HttpMethod.Post,
            "/v1/client/user-authenticators/push/challenge", context.Device,
            new { challengeId, publicKey = device.PublicKey, signature = device.Sign(challengeId), approved = true }, cancel);

        // The web page polls; the device has already answered, so the first poll should see the approval.
        for (var poll = 0; ; poll++)
        {
            var result = await context.Api.SendAsync(EndpointNames.PushPoll, HttpMethod.Post, "/v1/client/verify/push",
                bearer, new { challengeId }, cancel);
            if (Flag(result, "isVerified"))
            {
                await ValidateAsync(context, Str(result, "accessToken"), expectValid: true, cancel);
                return;
            }
            if (Flag(result, "isConsumed") || poll == 5)
            {
                throw new LifecycleFailedException("verify/push: not approved after the device approved");
            }
        }
    }
}
