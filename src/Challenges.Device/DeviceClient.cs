using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Challenges.Device;

/// <summary>A device API call that did not answer 200: the status and the contract's error body.</summary>
public sealed class DeviceApiException(int status, string body)
    : Exception($"The server answered {status}: {body}")
{
    public int Status { get; } = status;
    public string Body { get; } = body;
}

/// <summary>
/// The mobile device side of push (docs/contract.md §3.3), spoken exactly as the Android SDK speaks it: tenant Basic as
/// padded base64 of <c>tenantId:</c>, the public key in query strings as padded standard base64 of its SPKI-base64
/// text (not URL-escaped), DER ECDSA SHA-256 signatures in standard base64. The CLI and the tests both use it.
/// </summary>
public sealed class DeviceClient(HttpClient http, string tenantId, ECDsa key)
{
    public string TenantId { get; } = tenantId;

    /// <summary>The credential's identity: X.509 SubjectPublicKeyInfo DER, standard base64.</summary>
    public string PublicKey { get; } = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

    /// <summary>The public key as the Android SDK puts it in a query string.</summary>
    public string QueryKey => Convert.ToBase64String(Encoding.UTF8.GetBytes(PublicKey));

    public string BasicAuthorization => Convert.ToBase64String(Encoding.UTF8.GetBytes(TenantId + ":"));

    public static ECDsa NewKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Reads a P-256 private key from a PEM file, or creates one there; <paramref name="created"/> says which.</summary>
    public static ECDsa LoadOrCreateKey(string path, out bool created)
    {
        var key = NewKey();
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            created = false;
            return key;
        }
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory && !Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        created = true;
        return key;
    }

    /// <summary>ECDSA over SHA-256 of the UTF-8 message, ASN.1 DER, standard base64.</summary>
    public string Sign(string message) =>
        Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    /// <summary>The removal message: <c>floor(unixSeconds / 600)</c> written with <c>.0</c>.</summary>
    public static string TimeWindowMessage(DateTimeOffset at) =>
        (at.ToUnixTimeSeconds() / 600).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".0";

    /// <summary>Row 1: registers this key with a client token.</summary>
    public Task<JsonElement> AddCredentialAsync(string token, string? deviceName, string devicePlatform, string? pushToken = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/v1/client/user-authenticators/push",
            new { publicKey = PublicKey, deviceName, devicePlatform, pushToken }, cancellationToken, bearer: token);

    /// <summary>Row 2.</summary>
    public Task<JsonElement> GetCredentialAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"/v1/client/user-authenticators/push?publicKey={QueryKey}", null, cancellationToken);

    /// <summary>Rows 3 and 4: the pending challenge; signed (the default) asks for a nonce first and unlocks <c>custom</c>.</summary>
    public async Task<JsonElement> GetPendingAsync(bool withSignature = true, CancellationToken cancellationToken = default)
    {
        string? signature = null;
        if (withSignature)
        {
            var nonce = await SendAsync(HttpMethod.Post, $"/v1/client/user-authenticators/push/challenge/sign?publicKey={QueryKey}", null,
                cancellationToken);
            signature = Sign(nonce.GetProperty("message").GetString()!);
        }
        return await SendAsync(HttpMethod.Get, $"/v1/client/user-authenticators/push/challenge?publicKey={QueryKey}", null, cancellationToken,
            signature: signature);
    }

    /// <summary>Row 5: approves or rejects, signed over the challenge id.</summary>
    public Task<JsonElement> AnswerAsync(string challengeId, bool approved, string? verificationCode = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/v1/client/user-authenticators/push/challenge",
            new { challengeId, publicKey = PublicKey, signature = Sign(challengeId), approved, verificationCode }, cancellationToken);

    /// <summary>Row 6: removes this credential, signed over the time window of <paramref name="at"/> (now by default).</summary>
    public Task<JsonElement> RemoveAsync(DateTimeOffset? at = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/v1/client/user-authenticators/push/remove",
            new { publicKey = PublicKey, signature = Sign(TimeWindowMessage(at ?? TimeProvider.System.GetUtcNow())) }, cancellationToken);

    /// <summary>Rows 7 and 8: a signed update of the push token.</summary>
    public async Task<JsonElement> UpdateAsync(string? pushToken, bool resetExpiry = false, CancellationToken cancellationToken = default)
    {
        var message = await SendAsync(HttpMethod.Post, $"/v1/client/user-authenticators/push/sign?publicKey={QueryKey}", null, cancellationToken);
        var challengeId = message.GetProperty("challengeId").GetString()!;
        return await SendAsync(HttpMethod.Patch, "/v1/client/user-authenticators/push",
            new { challengeId, publicKey = PublicKey, signature = Sign(message.GetProperty("message").GetString()!), pushToken, resetExpiry },
            cancellationToken);
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken,
        string? bearer = null, string? signature = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = bearer is null
            ? new AuthenticationHeaderValue("Basic", BasicAuthorization)
            : new AuthenticationHeaderValue("Bearer", bearer);
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Authsignal-Signature", signature);
        }
        if (body is not null)
        {
            // Mobile SDKs send JSON without a charset and omit nulls.
            var json = JsonSerializer.Serialize(body, JsonOptions);
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if ((int)response.StatusCode != 200)
        {
            throw new DeviceApiException((int)response.StatusCode, text);
        }
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
