using Microsoft.Extensions.Options;

namespace Challenges.Api.Storage;

public static partial class StorageSetup
{
    /// <summary>Redis when <c>Redis__Configuration</c> is a connection string; the embedded in-memory store for <c>memory</c> (or empty, in Development).</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>();
        services.AddSingleton<ConflictRetry>();
        services.AddSingleton<WorkQueueSignal>();
        if (RedisOptions.IsMemory(configuration[$"{RedisOptions.Section}:Configuration"]))
        {
            services.AddSingleton<MemoryStateStore>();
            services.AddSingleton<IStateStore>(sp => sp.GetRequiredService<MemoryStateStore>());
            services.AddSingleton<IWorkQueue>(sp => sp.GetRequiredService<MemoryStateStore>());
        }
        else
        {
            services.AddSingleton<RedisConnection>();
            // For the Redis trace instrumentation, which finds the multiplexer here.
            services.AddSingleton<StackExchange.Redis.IConnectionMultiplexer>(sp => sp.GetRequiredService<RedisConnection>().Multiplexer);
            services.AddSingleton<RedisStateStore>();
            services.AddSingleton<IStateStore>(sp => sp.GetRequiredService<RedisStateStore>());
            services.AddSingleton<IWorkQueue>(sp => sp.GetRequiredService<RedisStateStore>());
            // For maintenance commands only (reindex-users): no request scans keys.
            services.AddSingleton<IKeyScan>(sp => sp.GetRequiredService<RedisStateStore>());
        }
        return services;
    }

    /// <summary>Says at start which store this process uses: the Redis endpoints, or loudly, the in-memory store.</summary>
    public static void LogStore(this IServiceProvider services, ILogger logger)
    {
        if (services.GetRequiredService<IStateStore>() is MemoryStateStore)
        {
            LogMemoryStore(logger);
        }
        else
        {
            var redis = services.GetRequiredService<RedisConnection>();
            LogRedisStore(logger, redis.Description);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Redis__Configuration is 'memory' (or empty in Development): using the embedded in-memory store. State is lost on restart and is not shared between processes. Set Redis__Configuration for anything but a trial.")]
    private static partial void LogMemoryStore(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Store: Redis at {RedisEndpoints} (Redis__Configuration)")]
    private static partial void LogRedisStore(ILogger logger, string redisEndpoints);
}
