using System.Security.Cryptography;
using System.Text;

namespace Challenges.Api.Users;

/// <summary>Names a device credential in the store by the SHA-256 of its public key text.</summary>
public static class DeviceKeys
{
    public static string KeyId(string publicKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(publicKey)));
}
