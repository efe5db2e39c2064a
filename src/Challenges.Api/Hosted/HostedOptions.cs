namespace Challenges.Api.Hosted;

/// <summary>
/// The <c>Hosted</c> section: what one server process allows the hosted page's held requests (per tenant, the page's
/// looks are <c>Tenants__N__HostedPage</c>).
/// </summary>
public sealed class HostedOptions
{
    public const string Section = "Hosted";

    /// <summary>
    /// Held <c>POST /hosted/push/wait</c> requests this process keeps open at once, for everyone; beyond it a wait is
    /// answered 503 at once and the page polls instead.
    /// </summary>
    public int MaxHeldPushWaits { get; set; } = 1000;

    /// <summary>Held waits one user (tenant and user id) may have open in this process at once; beyond it, 429.</summary>
    public int MaxHeldPushWaitsPerUser { get; set; } = 2;
}
