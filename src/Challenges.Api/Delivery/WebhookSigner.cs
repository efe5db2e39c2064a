using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Challenges.Api.Delivery;

/// <summary>
/// <c>X-Signature-V2: t=&lt;unix seconds&gt;,v2=&lt;sig&gt;[,v2=&lt;sig&gt;]</c> (docs/contract.md §5.2): one <c>v2</c> per active
/// secret key; sig = unpadded standard base64 of HMAC-SHA256(secret, "&lt;t&gt;." + body bytes).
/// </summary>
public static class WebhookSigner
{
    public const string HeaderName = "X-Signature-V2";

    public static string Sign(ReadOnlySpan<byte> body, long unixSeconds, IEnumerable<string> secretKeys)
    {
        ArgumentNullException.ThrowIfNull(secretKeys);
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var message = new byte[t.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(t, message);
        message[t.Length] = (byte)'.';
        body.CopyTo(message.AsSpan(t.Length + 1));
        var header = new StringBuilder("t=").Append(t);
        foreach (var key in secretKeys)
        {
            var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), message);
            header.Append(",v2=").Append(Convert.ToBase64String(mac).TrimEnd('='));
        }
        return header.ToString();
    }
}
