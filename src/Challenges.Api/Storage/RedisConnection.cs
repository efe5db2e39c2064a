using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Challenges.Api.Storage;

/// <summary>
/// The process's one multiplexer. Connects lazily and never aborts: while Redis is down calls fail at once and the
/// multiplexer reconnects by itself when Redis returns.
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
        _multiplexer = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(configuration));
    }

    public IDatabase Database => _multiplexer.Value.GetDatabase();

    public ConnectionMultiplexer Multiplexer => _multiplexer.Value;

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated)
        {
            _multiplexer.Value.Dispose();
        }
    }
}
