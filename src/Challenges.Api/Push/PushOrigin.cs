using Challenges.Api.RateLimiting;

namespace Challenges.Api.Push;

/// <summary>Where the sign-in attempt came from, as the request that starts a push saw it.</summary>
public sealed record PushOrigin(string IpAddress, string? UserAgent)
{
    public static PushOrigin Of(HttpContext context, ClientAddress address)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(address);
        var userAgent = context.Request.Headers.UserAgent.ToString();
        return new PushOrigin(address.Of(context), userAgent.Length is > 0 and <= 1024 ? userAgent : null);
    }
}
