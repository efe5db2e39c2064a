using System.Security.Cryptography;
using System.Text;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>The tests' own reading of X-Signature-V2, written from docs/contract.md §5.2 and independent of the server's signer.</summary>
public static class SignatureCheck
{
    /// <summary>True when some v2 entry is HMAC-SHA256(secret, "t." + body), base64 without padding.</summary>
    public static bool IsSignedWith(ReceivedRequest request, string secret)
    {
        var header = request.Header("X-Signature-V2");
        if (header is null)
        {
            return false;
        }
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToList();
        var t = parts.Single(p => p[0] == "t")[1];
        var message = Encoding.UTF8.GetBytes(t + ".").Concat(request.Body).ToArray();
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = Convert.ToBase64String(hmac.ComputeHash(message)).TrimEnd('=');
        return parts.Where(p => p[0] == "v2").Any(p => p[1] == expected);
    }

    public static int SignatureCount(ReceivedRequest request) =>
        request.Header("X-Signature-V2")?.Split(',').Count(p => p.StartsWith("v2=", StringComparison.Ordinal)) ?? 0;
}
