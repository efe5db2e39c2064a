namespace Challenges.Api.Storage;

public static partial class StorageSetup
{
    /// <summary>Redis when <c>Redis__Configuration</c> is set, else the embedded in-memory store.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section)
            .Validate(o => !o.KeyPrefix.Contains('{', StringComparison.Ordinal) && !o.KeyPrefix.Contains('}', StringComparison.Ordinal),
                "Redis__KeyPrefix must not contain braces (they would change the hash tag).")
            .ValidateOnStart();
        if (string.IsNullOrWhiteSpace(configuration[$"{RedisOptions.Section}:Configuration"]))
        {
            services.AddSingleton<MemoryStateStore>();
            services.AddSingleton<IStateStore>(sp => sp.GetRequiredService<MemoryStateStore>());
            services.AddSingleton<IWorkQueue>(sp => sp.GetRequiredService<MemoryStateStore>());
        }
        else
        {
            services.AddSingleton<RedisConnection>();
            services.AddSingleton<RedisStateStore>();
            services.AddSingleton<IStateStore>(sp => sp.GetRequiredService<RedisStateStore>());
            services.AddSingleton<IWorkQueue>(sp => sp.GetRequiredService<RedisStateStore>());
        }
        return services;
    }

    public static bool UsesMemoryStore(this IServiceProvider services) => services.GetRequiredService<IStateStore>() is MemoryStateStore;

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Redis__Configuration is empty: using the embedded in-memory store. State is lost on restart and is not shared between processes. Set Redis__Configuration for anything but a trial.")]
    public static partial void LogMemoryStore(ILogger logger);
}
