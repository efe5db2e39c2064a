using Challenges.Api.Http;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Challenges.Api.Storage;

/// <summary>
/// Refuses a Redis section that cannot work, naming the key: an unparsable connection string, braces in the prefix,
/// an unreadable CA file, or no store at all outside Development (the in-memory store must be asked for by name there).
/// </summary>
public sealed class RedisOptionsValidator(IHostEnvironment environment) : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Configuration) && !environment.IsDevelopment())
        {
            failures.Add("Redis__Configuration is empty: set a Redis connection string (e.g. redis:6379), or 'memory' for the embedded " +
                         "single-process store that loses its state on restart.");
        }
        else if (!RedisOptions.IsMemory(options.Configuration))
        {
            try
            {
                if (ConfigurationOptions.Parse(options.Configuration).EndPoints.Count == 0)
                {
                    failures.Add("Redis__Configuration names no host:port.");
                }
            }
            catch (ArgumentException e)
            {
                failures.Add($"Redis__Configuration is not a valid StackExchange.Redis connection string: {e.Message}");
            }
        }
        if (options.KeyPrefix.Contains('{', StringComparison.Ordinal) || options.KeyPrefix.Contains('}', StringComparison.Ordinal))
        {
            failures.Add("Redis__KeyPrefix must not contain braces (they would change the hash tag).");
        }
        if (options.CaCertificate.Length > 0 && CertificateTrust.Problem(options.CaCertificate) is { } problem)
        {
            failures.Add($"Redis__CaCertificate {problem}.");
        }
        if (options.OperationTimeout <= TimeSpan.Zero)
        {
            failures.Add("Redis__OperationTimeout must be positive.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
