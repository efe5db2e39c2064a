using System.Net;
using Challenges.Api.Http;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Challenges.Api.Storage;

/// <summary>
/// The process's one multiplexer. Connects lazily and never aborts: while Redis is down calls fail at once and the
/// multiplexer reconnects by itself when Redis returns. ACL users (<c>user=</c>) and TLS (<c>ssl=true</c>, with
/// <see cref="RedisOptions.CaCertificate"/> for a private CA) come from the connection string.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _multiplexer;

    public RedisConnection(IOptions<RedisOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configuration = ConfigurationOptions.Parse(options.Value.Configuration);
        configuration.AbortOnConnectFail = false;
        if (!options.Value.Configuration.Contains("connectTimeout", StringComparison.OrdinalIgnoreCase))
        {
            configuration.ConnectTimeout = 1000;
        }
        if (!options.Value.Configuration.Contains("syncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            configuration.SyncTimeout = 1000;
        }
        if (CertificateTrust.FromPemFile(options.Value.CaCertificate) is { } trust)
        {
            configuration.CertificateValidation += trust;
        }
        // What operators see in the log: where, as whom and how; never the password.
        Description = string.Join(", ", configuration.EndPoints.Select(Format)) +
                      (configuration.User is { Length: > 0 } user ? $" as user {user}" : "") +
                      (configuration.Ssl ? " over TLS" : "");
        _multiplexer = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(configuration));
    }

    /// <summary>The endpoints, ACL user and TLS use from <c>Redis__Configuration</c>, without secrets.</summary>
    public string Description { get; }

    public IDatabase Database => _multiplexer.Value.GetDatabase();

    public ConnectionMultiplexer Multiplexer => _multiplexer.Value;

    /// <summary>An endpoint as host:port.</summary>
    public static string Format(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? "",
    };

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated)
        {
            _multiplexer.Value.Dispose();
        }
    }
}
