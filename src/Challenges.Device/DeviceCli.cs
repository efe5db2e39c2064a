using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Challenges.Device;

/// <summary>
/// The command line: <c>enroll</c>, <c>pending</c>, <c>approve</c>, <c>reject</c>, <c>remove</c>. Every command takes
/// <c>--server</c>, <c>--tenant</c> and <c>--key-file</c> (defaults: CHALLENGES_SERVER or http://localhost:5080,
/// CHALLENGES_TENANT or demo, CHALLENGES_KEY_FILE or a file per tenant in the user's data directory, never the
/// current directory).
/// </summary>
public static class DeviceCli
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Runs one command line; output goes to <paramref name="output"/> (the console by default).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, HttpMessageHandler? handler = null)
    {
        var configuration = new InvocationConfiguration();
        if (output is not null)
        {
            configuration.Output = output;
        }
        if (error is not null)
        {
            configuration.Error = error;
        }
        return Build(handler).Parse(args).InvokeAsync(configuration);
    }

    public static RootCommand Build(HttpMessageHandler? handler = null)
    {
        var server = new Option<string>("--server")
        {
            Description = "The Challenges server's base URL.",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CHALLENGES_SERVER") ?? "http://localhost:5080",
        };
        var tenant = new Option<string>("--tenant")
        {
            Description = "The tenant id (sent as Basic, as the Android SDK does).",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CHALLENGES_TENANT") ?? "demo",
        };
        var keyFile = new Option<string?>("--key-file")
        {
            Description = "PEM file with this device's P-256 private key (created by enroll). Default: CHALLENGES_KEY_FILE, " +
                          "else challenges-device/<tenant>/device-key.pem in the user's data directory.",
            Recursive = true,
        };
        var root = new RootCommand("A command-line push device for Challenges: enrol a key, then approve or reject sign-ins.");
        root.Add(server);
        root.Add(tenant);
        root.Add(keyFile);

        DeviceClient Client(ParseResult p, bool create = false)
        {
            var path = p.GetValue(keyFile) ?? Environment.GetEnvironmentVariable("CHALLENGES_KEY_FILE") ?? DefaultKeyFile(p.GetValue(tenant)!);
            if (!create && !File.Exists(path))
            {
                throw new FileNotFoundException($"No device key at {path}: run enroll first.");
            }
            var key = DeviceClient.LoadOrCreateKey(path, out var created);
            if (created)
            {
                p.InvocationConfiguration.Output.WriteLine($"Created a P-256 key in {path}");
            }
            var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
            http.BaseAddress = Uri.TryCreate(p.GetValue(server), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                ? url
                : throw new InvalidOperationException("--server must be an absolute http(s) URL, e.g. http://localhost:5080.");
            http.Timeout = TimeSpan.FromSeconds(30);
            return new DeviceClient(http, p.GetValue(tenant)!, key);
        }

        var token = new Option<string>("--token") { Description = "A client token from track (scope add:authenticators if the user is enrolled).", Required = true };
        var name = new Option<string>("--name") { Description = "The device name shown in authenticator lists.", DefaultValueFactory = _ => Environment.MachineName };
        var platform = new Option<string>("--platform") { Description = "ios or android.", DefaultValueFactory = _ => "android" };
        platform.AcceptOnlyFromAmong("ios", "android");
        var pushToken = new Option<string?>("--push-token") { Description = "A push token to store with the credential." };
        var enroll = new Command("enroll", "Create a P-256 key in the key file (unless it exists) and add it as a push credential.")
        {
            token, name, platform, pushToken,
        };
        enroll.SetAction((p, ct) => Run(p, async () =>
            await Client(p, create: true).AddCredentialAsync(p.GetValue(token)!, p.GetValue(name), p.GetValue(platform)!, p.GetValue(pushToken), ct)));
        root.Add(enroll);

        var pending = new Command("pending", "Show the pending push challenge (a signed request, so custom data shows too).");
        pending.SetAction((p, ct) => Run(p, async () =>
        {
            var shown = await Client(p).GetPendingAsync(withSignature: true, ct);
            if (NeedsCode(shown))
            {
                await p.InvocationConfiguration.Output.WriteLineAsync(NumberMatchingNote);
            }
            return shown;
        }));
        root.Add(pending);

        var challengeId = new Option<string?>("--challenge-id") { Description = "The challenge to answer; the pending one by default." };
        var code = new Option<string?>("--code") { Description = "The number the web page shows (number matching)." };
        var approve = new Command("approve", "Approve the pending push challenge.") { challengeId, code };
        approve.SetAction((p, ct) => Answer(p, () => Client(p), p.GetValue(challengeId), true, p.GetValue(code), ct));
        root.Add(approve);

        var reject = new Command("reject", "Reject the pending push challenge.") { challengeId };
        reject.SetAction((p, ct) => Answer(p, () => Client(p), p.GetValue(challengeId), false, null, ct));
        root.Add(reject);

        var remove = new Command("remove", "Remove this device's credential from the server (signed over the time window).");
        remove.SetAction((p, ct) => Run(p, async () => await Client(p).RemoveAsync(null, ct)));
        root.Add(remove);
        return root;
    }

    private const string NumberMatchingNote =
        "Number matching is on: approve with --code <the number the web page shows>.";

    /// <summary>Where the key of a device enrolled with <paramref name="tenant"/> lives by default: the user's data directory.</summary>
    public static string DefaultKeyFile(string tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        // A tenant id may hold any printable character; a path segment may not.
        var segment = tenant.Length is > 0 and <= 64 && tenant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && tenant[0] != '.'
            ? tenant
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenant)))[..32];
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
            "challenges-device", segment, "device-key.pem");
    }

    private static bool NeedsCode(JsonElement pending) =>
        pending.TryGetProperty("verificationCodeRequired", out var required) && required.ValueKind == JsonValueKind.True;

    /// <summary>
    /// Answers the given or the pending challenge. An approval without <c>--code</c> of a challenge that needs one is
    /// refused here, before anything is sent (the server would take it as a wrong number and reject the sign-in); an
    /// approval the server does not accept fails the command.
    /// </summary>
    private static Task<int> Answer(ParseResult p, Func<DeviceClient> connect, string? challengeId, bool approved, string? code, CancellationToken ct) =>
        Run(p, async () =>
        {
            var client = connect();
            if (challengeId is null || (approved && code is null))
            {
                var found = await client.GetPendingAsync(withSignature: false, ct);
                var pendingId = found.TryGetProperty("challengeId", out var id) ? id.GetString() : null;
                challengeId ??= pendingId ?? throw new InvalidOperationException("No pending challenge for this device.");
                if (approved && code is null && pendingId == challengeId && NeedsCode(found))
                {
                    throw new InvalidOperationException(NumberMatchingNote + " Nothing was sent; the challenge is still pending.");
                }
            }
            var answer = await client.AnswerAsync(challengeId, approved, code, ct);
            if (approved && !(answer.TryGetProperty("isVerified", out var verified) && verified.GetBoolean()))
            {
                throw new InvalidOperationException("The server did not accept the approval (a wrong --code rejects the challenge).");
            }
            return answer;
        });

    /// <summary>Prints the answer as JSON (exit 0), or the failure on the error writer (exit 1).</summary>
    private static async Task<int> Run(ParseResult p, Func<Task<JsonElement>> call)
    {
        try
        {
            var result = await call();
            await p.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(result, Indented));
            return 0;
        }
        catch (Exception e) when (e is DeviceApiException or HttpRequestException or InvalidOperationException or IOException or TaskCanceledException
                                      or System.Security.Cryptography.CryptographicException)
        {
            await p.InvocationConfiguration.Error.WriteLineAsync(e.Message);
            return 1;
        }
    }
}
