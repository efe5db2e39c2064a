using System.Buffers;
using System.Text.Json;

namespace Challenges.Api.Tokens;

/// <summary>
/// The client token's claim set as JSON (docs/contract.md 1.3): <c>sub</c>, <c>iss</c>, <c>aud</c>, <c>iat</c>,
/// <c>nbf</c>, <c>exp</c>, <c>jti</c>, <c>scope</c>, <c>other</c> and, for step-up tokens, <c>acr</c> and
/// <c>auth_time</c>. Reading takes each known claim once with its type (a string, or whole Unix seconds) and skips
/// claims it does not know.
/// </summary>
public static class ClientTokenClaims
{
    /// <summary>What a payload says, before its issuer, audience and lifetime have been judged.</summary>
    public sealed record Payload(ClientToken Token, string Issuer, string Audience, DateTimeOffset NotBefore);

    public static byte[] Write(ClientToken token, string issuer, string audience, string id)
    {
        ArgumentNullException.ThrowIfNull(token);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("sub"u8, token.UserId);
            json.WriteString("scope"u8, string.Join(' ', token.Scopes));
            json.WriteStartObject("other"u8);
            json.WriteString("tenantId"u8, token.TenantId);
            json.WriteString("userId"u8, token.UserId);
            json.WriteString("actionCode"u8, token.ActionCode);
            json.WriteString("idempotencyKey"u8, token.IdempotencyKey);
            if (token.Username is not null)
            {
                json.WriteString("username"u8, token.Username);
            }
            json.WriteEndObject();
            json.WriteString("jti"u8, id);
            if (token.Acr is not null)
            {
                json.WriteString("acr"u8, token.Acr);
            }
            if (token.AuthTime is { } authTime)
            {
                json.WriteNumber("auth_time"u8, authTime.ToUnixTimeSeconds());
            }
            json.WriteString("iss"u8, issuer);
            json.WriteString("aud"u8, audience);
            json.WriteNumber("exp"u8, token.ExpiresAt.ToUnixTimeSeconds());
            json.WriteNumber("iat"u8, token.IssuedAt.ToUnixTimeSeconds());
            json.WriteNumber("nbf"u8, token.IssuedAt.ToUnixTimeSeconds());
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The claims of <paramref name="json"/>, or null when a required one is missing, repeated or of the wrong type.</summary>
    public static Payload? Read(ReadOnlySpan<byte> json)
    {
        var claims = new Fields();
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !ReadMembers(ref reader, ref claims, Claim) || reader.Read())
            {
                return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }
        if (claims.TenantId is null || claims.UserId is null || claims.ActionCode is null || claims.IdempotencyKey is null ||
            claims.Issuer is null || claims.Audience is null ||
            claims.IssuedAt is not { } issuedAt || claims.NotBefore is not { } notBefore || claims.ExpiresAt is not { } expiresAt)
        {
            return null;
        }
        var token = new ClientToken(claims.TenantId, claims.UserId, claims.ActionCode, claims.IdempotencyKey, Scopes.Parse(claims.Scope),
            DateTimeOffset.FromUnixTimeSeconds(issuedAt), DateTimeOffset.FromUnixTimeSeconds(expiresAt), claims.Username, claims.Acr,
            claims.AuthTime is { } authTime ? DateTimeOffset.FromUnixTimeSeconds(authTime) : null);
        return new Payload(token, claims.Issuer, claims.Audience, DateTimeOffset.FromUnixTimeSeconds(notBefore));
    }

    /// <summary>The tenant a payload's <c>other.tenantId</c> names, read without judging anything else.</summary>
    public static string? TenantNamed(ReadOnlySpan<byte> json) => Read(json)?.Token.TenantId;

    /// <summary>Reads the members of the object the reader is in, up to its end; false when one of them is refused.</summary>
    private static bool ReadMembers(ref Utf8JsonReader reader, ref Fields claims, MemberReader member)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!member(ref reader, ref claims))
            {
                return false;
            }
        }
        return reader.TokenType == JsonTokenType.EndObject;
    }

    private delegate bool MemberReader(ref Utf8JsonReader reader, ref Fields claims);

    private static bool Claim(ref Utf8JsonReader reader, ref Fields claims) =>
        reader.ValueTextEquals("iss"u8) ? ReadString(ref reader, ref claims.Issuer) :
        reader.ValueTextEquals("aud"u8) ? ReadString(ref reader, ref claims.Audience) :
        reader.ValueTextEquals("scope"u8) ? ReadString(ref reader, ref claims.Scope) :
        reader.ValueTextEquals("acr"u8) ? ReadString(ref reader, ref claims.Acr) :
        reader.ValueTextEquals("iat"u8) ? ReadTime(ref reader, ref claims.IssuedAt) :
        reader.ValueTextEquals("nbf"u8) ? ReadTime(ref reader, ref claims.NotBefore) :
        reader.ValueTextEquals("exp"u8) ? ReadTime(ref reader, ref claims.ExpiresAt) :
        reader.ValueTextEquals("auth_time"u8) ? ReadTime(ref reader, ref claims.AuthTime) :
        reader.ValueTextEquals("other"u8) ? ReadOther(ref reader, ref claims) :
        Skip(ref reader);

    private static bool ReadOther(ref Utf8JsonReader reader, ref Fields claims)
    {
        if (claims.Other || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        claims.Other = true;
        return ReadMembers(ref reader, ref claims, OtherClaim);
    }

    private static bool OtherClaim(ref Utf8JsonReader reader, ref Fields claims) =>
        reader.ValueTextEquals("tenantId"u8) ? ReadString(ref reader, ref claims.TenantId) :
        reader.ValueTextEquals("userId"u8) ? ReadString(ref reader, ref claims.UserId) :
        reader.ValueTextEquals("actionCode"u8) ? ReadString(ref reader, ref claims.ActionCode) :
        reader.ValueTextEquals("idempotencyKey"u8) ? ReadString(ref reader, ref claims.IdempotencyKey) :
        reader.ValueTextEquals("username"u8) ? ReadString(ref reader, ref claims.Username) :
        Skip(ref reader);

    private static bool ReadString(ref Utf8JsonReader reader, ref string? value)
    {
        if (value is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return false;
        }
        value = reader.GetString();
        return true;
    }

    /// <summary>Whole Unix seconds within the range of <see cref="DateTimeOffset"/>.</summary>
    private static bool ReadTime(ref Utf8JsonReader reader, ref long? value)
    {
        if (value is not null || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var seconds) ||
            seconds < MinSeconds || seconds > MaxSeconds)
        {
            return false;
        }
        value = seconds;
        return true;
    }

    private static bool Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }

    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>The claims read so far; each may be set once.</summary>
    private struct Fields
    {
        public string? Issuer, Audience, Scope, Acr, TenantId, UserId, ActionCode, IdempotencyKey, Username;
        public long? IssuedAt, NotBefore, ExpiresAt, AuthTime;
        public bool Other;
    }
}
