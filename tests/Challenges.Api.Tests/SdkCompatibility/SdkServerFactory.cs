using Challenges.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Challenges.Api.Tests.SdkCompatibility;

/// <summary>
/// The server as the SDKs meet it: a real Kestrel listener (see <see cref="SdkCompatFixture"/>), a real redis-server, the
/// system clock (the SDK's webhook verifier compares signature times with the real time), the test tenants with their
/// webhook URL pointing at the port the node tests listen on, passkeys for pages on <paramref name="pageOrigin"/>.
/// Nothing else is swapped.
/// </summary>
public sealed class SdkServerFactory(string redisConfiguration, Uri webhookUrl, string pageOrigin) : WebApplicationFactory<Program>
{
    protected override Microsoft.Extensions.Hosting.IHost CreateHost(Microsoft.Extensions.Hosting.IHostBuilder builder)
    {
        lock (HostCreation.Lock)
        {
            return base.CreateHost(builder);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = TestTenants.Configuration(webhookUrl);
        foreach (var (key, value) in TestTenants.Passkeys(pageOrigin))
        {
            settings[key] = value;
        }
        // The first requests run while `npm ci` competes for the CPUs: a store deadline of 1 s (the default) turned
        // them into 503s on a loaded 2-core machine. These tests are about the SDKs, not the store's deadline.
        settings["Redis:Configuration"] = redisConfiguration + ",connectTimeout=5000";
        settings["Redis:OperationTimeout"] = "00:00:05";
        settings["Logging:LogLevel:Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
