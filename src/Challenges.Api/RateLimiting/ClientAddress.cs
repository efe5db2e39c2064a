using System.Net;
using System.Net.Sockets;
using Challenges.Api.Http;
using Microsoft.Extensions.Options;

namespace Challenges.Api.RateLimiting;

/// <summary>
/// The end user's address for per-IP limits: the connection's address, or the nearest untrusted hop of
/// <c>X-Forwarded-For</c> when the connection comes from a configured proxy (<c>Http__KnownProxies__N</c>).
/// </summary>
public sealed class ClientAddress(IOptions<HttpOptions> options)
{
    /// <summary>IPv6 addresses are counted by their /64: one subscriber usually holds a whole /64.</summary>
    public const int Ipv6PrefixLength = 64;

    /// <summary>The address of a connection that has none (e.g. a Unix socket): no per-address limit applies to it.</summary>
    public const string Unknown = "unknown";

    private readonly HashSet<IPAddress> _proxies = options.Value.KnownProxies
        .Select(p => IPAddress.TryParse(p, out var ip) ? ip : null).OfType<IPAddress>().ToHashSet();

    public string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return Unknown;
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

    /// <summary>
    /// What a per-IP limit counts for <paramref name="address"/>: an IPv4 address itself, an IPv6 address its /64
    /// network (e.g. <c>2001:db8:1:2::/64</c>), anything else as it is.
    /// </summary>
    public static string Network(string address)
    {
        if (!IPAddress.TryParse(address, out var ip))
        {
            return address;
        }
        if (ip.IsIPv4MappedToIPv6)
        {
            return ip.MapToIPv4().ToString();
        }
        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ip.ToString();
        }
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, Ipv6PrefixLength / 8, bytes.Length - Ipv6PrefixLength / 8);
        return $"{new IPAddress(bytes)}/{Ipv6PrefixLength}";
    }
}
