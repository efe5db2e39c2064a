using System.Net;
using Challenges.Api.Http;
using Microsoft.Extensions.Options;

namespace Challenges.Api.RateLimiting;

/// <summary>
/// The end user's address for per-IP limits: the connection's address, or the nearest untrusted hop of
/// <c>X-Forwarded-For</c> when the connection comes from a configured proxy (<c>Http__KnownProxies__N</c>).
/// </summary>
public sealed class ClientAddress(IOptions<HttpOptions> options)
{
    private readonly HashSet<IPAddress> _proxies = options.Value.KnownProxies
        .Select(p => IPAddress.TryParse(p, out var ip) ? ip : null).OfType<IPAddress>().ToHashSet();

    public string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return "unknown";
        }
        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }
        if (!_proxies.Contains(remote))
        {
            return remote.ToString();
        }
        var hops = context.Request.Headers["X-Forwarded-For"].ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(hops[i], out var hop))
            {
                break;
            }
            if (!_proxies.Contains(hop))
            {
                return hop.ToString();
            }
        }
        return remote.ToString();
    }
}
