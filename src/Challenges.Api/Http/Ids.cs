using System.Security.Cryptography;

namespace Challenges.Api.Http;

/// <summary>New identifiers (random UUIDs, as the official API uses) and checks on ids that arrive in paths.</summary>
public static class Ids
{
    public static string New() => Guid.NewGuid().ToString();

    /// <summary>A 128-bit random value in hex, for nonces.</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>An error naming <paramref name="field"/> when the id is empty, too long or has control characters.</summary>
    public static ApiError? Check(string? value, string field) =>
        Validation.IsIdentifier(value) ? null : ApiError.Invalid(Validation.IdentifierRule(field));
}
