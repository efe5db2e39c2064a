namespace Challenges.Api.Storage;

/// <summary>
/// The <c>Redis</c> section. <see cref="Configuration"/> <c>memory</c> selects the embedded in-memory store; empty does
/// too, in Development only.
/// </summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>The value of <see cref="Configuration"/> that asks for the embedded in-memory store.</summary>
    public const string Memory = "memory";

    /// <summary>
    /// A StackExchange.Redis connection string, e.g. <c>localhost:6379</c> or
    /// <c>redis.example:6380,user=app,password=...,ssl=true</c>.
    /// </summary>
    public string Configuration { get; set; } = "";

    /// <summary>Prefix for every key (no braces: they would change the hash tag).</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>A PEM file of CA certificates to trust for Redis's TLS certificate (<c>ssl=true</c>), besides the system's.</summary>
    public string CaCertificate { get; set; } = "";

    /// <summary>Longest wait for one store call before the request answers 503.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public static bool IsMemory(string? configuration) =>
        string.IsNullOrWhiteSpace(configuration) || configuration.Trim().Equals(Memory, StringComparison.OrdinalIgnoreCase);
}
