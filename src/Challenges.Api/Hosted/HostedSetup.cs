namespace Challenges.Api.Hosted;

/// <summary>The hosted page's process-wide bounds (<see cref="HostedOptions"/>).</summary>
public static class HostedSetup
{
    public static IServiceCollection AddHostedPage(this IServiceCollection services)
    {
        services.AddOptions<HostedOptions>().BindConfiguration(HostedOptions.Section)
            .Validate(o => o.MaxHeldPushWaits >= 0 && o.MaxHeldPushWaitsPerUser >= 0,
                "Hosted__MaxHeldPushWaits and Hosted__MaxHeldPushWaitsPerUser must be 0 or more (0: the page always polls).")
            .ValidateOnStart();
        services.AddSingleton<HeldPushWaits>();
        return services;
    }
}
