using System.Buffers.Text;
using System.Text.Json;

namespace Challenges.Benchmarks.Endpoints;

/// <summary>A client token from a track answer with the action it names (its <c>other</c> claims, read without checking).</summary>
internal sealed record TrackedToken(string Token, string UserId, string ActionCode, string IdempotencyKey)
{
    public static TrackedToken Read(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var parts = token.Split('.');
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var other = payload.RootElement.GetProperty("other");
        string Claim(string name) => other.GetProperty(name).GetString()!;
        return new TrackedToken(token, Claim("userId"), Claim("actionCode"), Claim("idempotencyKey"));
    }
}
