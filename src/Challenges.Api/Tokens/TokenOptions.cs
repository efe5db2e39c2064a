namespace Challenges.Api.Tokens;

/// <summary>The <c>Tokens</c> section: how client tokens are signed and checked.</summary>
public sealed class TokenOptions
{
    public const string Section = "Tokens";

    /// <summary>HS256 secret, at least 32 bytes. Empty in Development: a random key per process.</summary>
    public string SigningKey { get; set; } = "";

    public string Issuer { get; set; } = "challenges";
    public string Audience { get; set; } = "challenges";
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
