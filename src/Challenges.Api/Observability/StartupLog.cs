using Challenges.Api.Storage;
using Challenges.Api.Tenants;

namespace Challenges.Api.Observability;

/// <summary>
/// What an operator needs to see at start: the store in use and, in a Development run with the demo tenant, its id and
/// built-in key. No other secret key is ever printed.
/// </summary>
public static partial class StartupLog
{
    public static void LogStartup(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Challenges");
        app.Services.LogStore(logger);
        if (app.Environment.IsDevelopment() &&
            app.Services.GetRequiredService<TenantRegistry>().FindBySecretKey(DemoTenant.SecretKey) is { Id: DemoTenant.Id })
        {
            // The built-in development default, printed so a newcomer can use it; never the key of a configured tenant.
            LogDemoTenant(logger, DemoTenant.Id, DemoTenant.SecretKey);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Development tenant: id {TenantId}, secret key {DevelopmentSecretKey} (development default; never use it in production)")]
    private static partial void LogDemoTenant(ILogger logger, string tenantId, string developmentSecretKey);
}
