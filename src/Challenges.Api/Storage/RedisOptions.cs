namespace Challenges.Api.Storage;

/// <summary>The <c>Redis</c> section. An empty <see cref="Configuration"/> selects the embedded in-memory store.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis connection string, e.g. <c>localhost:6379</c>.</summary>
    public string Configuration { get; set; } = "";

    /// <summary>Prefix for every key (no braces: they would change the hash tag).</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>Longest wait for one store call before the request answers 503.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
