using Challenges.Api.Storage;
using Challenges.Api.Tenants;

namespace Challenges.Api.Http;

/// <summary>What an operator needs to see at start: the store in use and, in Development, the demo tenant.</summary>
public static partial class StartupLog
{
    public static void LogStartup(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Challenges");
        app.Services.LogStore(logger);
        if (app.Environment.IsDevelopment())
        {
            foreach (var tenant in app.Services.GetRequiredService<TenantRegistry>().All)
            {
                // Development only: the demo tenant's key is a documented development default, printed so a newcomer can use it.
                DemoTenant(logger, tenant.Id, tenant.SecretKeys[0]);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Development tenant: id {TenantId}, secret key {DevelopmentSecretKey} (development default; never use it in production)")]
    private static partial void DemoTenant(ILogger logger, string tenantId, string developmentSecretKey);
}
