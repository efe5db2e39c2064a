using StackExchange.Redis;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>Looks into a test's own Redis from outside the server: which keys an attack left, and how big they are.</summary>
public sealed class RedisInspector : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;

    private RedisInspector(ConnectionMultiplexer connection) => _connection = connection;

    public static async Task<RedisInspector> ConnectAsync(string configuration) =>
        new(await ConnectionMultiplexer.ConnectAsync(configuration + ",allowAdmin=true"));

    public IDatabase Database => _connection.GetDatabase();

    /// <summary>Every key matching <paramref name="pattern"/> (Redis glob syntax), on the one server.</summary>
    public IReadOnlyList<string> Keys(string pattern)
    {
        var server = _connection.GetServer(_connection.GetEndPoints().Single());
        return server.Keys(pattern: pattern, pageSize: 1000).Select(k => (string)k!).ToList();
    }

    public async Task<long> SizeAsync(string key) => await Database.StringLengthAsync(key);

    public ValueTask DisposeAsync()
    {
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }
}
