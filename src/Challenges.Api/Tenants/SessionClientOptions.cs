namespace Challenges.Api.Tenants;

/// <summary>One app client (<c>Tenants__N__Sessions__Clients__M__...</c>): a web app, an iOS app, each with its own lifetimes.</summary>
public sealed class SessionClientOptions
{
    public string Id { get; set; } = "";

    /// <summary>How long an access token is valid (at most until its session ends).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a session lasts from its creation: refreshing never extends it.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);
}
