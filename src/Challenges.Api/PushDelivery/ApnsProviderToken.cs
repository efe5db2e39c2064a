using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Challenges.Api.PushDelivery;

/// <summary>
/// The provider authentication token of one APNs key: an ES256 JWT with header <c>{"alg":"ES256","kid":KeyId}</c> and
/// claims <c>{"iss":TeamId,"iat":seconds}</c>. Apple refuses a token older than an hour and one replaced more often
/// than every 20 minutes, so the same token goes with every request until it is <see cref="RefreshAge"/> old; a token
/// APNs calls expired is replaced on the next request once it is <see cref="MinimumAge"/> old.
/// </summary>
public sealed class ApnsProviderToken(ECDsa key, string keyId, string teamId, TimeProvider time)
{
    public static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(20);
    public static readonly TimeSpan RefreshAge = TimeSpan.FromMinutes(50);

    private readonly Lock _lock = new();
    private string? _token;
    private DateTimeOffset _issuedAt;
    private bool _rejected;

    /// <summary>The token to send now.</summary>
    public string Current()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var age = now - _issuedAt;
            if (_token is null || age >= RefreshAge || (_rejected && age >= MinimumAge))
            {
                _token = Create(key, keyId, teamId, now);
                _issuedAt = now;
                _rejected = false;
            }
            return _token;
        }
    }

    /// <summary>APNs answered <c>ExpiredProviderToken</c> to <paramref name="token"/>: replace it as soon as Apple allows.</summary>
    public void Rejected(string token)
    {
        lock (_lock)
        {
            _rejected |= token == _token;
        }
    }

    /// <summary>A provider token issued at <paramref name="issuedAt"/>.</summary>
    public static string Create(ECDsa key, string keyId, string teamId, DateTimeOffset issuedAt)
    {
        ArgumentNullException.ThrowIfNull(key);
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "ES256", kid = keyId }));
        var claims = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { iss = teamId, iat = issuedAt.ToUnixTimeSeconds() }));
        var signed = $"{header}.{claims}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signed}.{Base64Url.EncodeToString(signature)}";
    }
}
