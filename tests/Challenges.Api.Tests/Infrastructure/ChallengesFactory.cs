using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>
/// The server under test. Only I/O is swapped: the Redis it talks to (a real redis-server), the clock, and the
/// webhook URL (a real listener). Authentication is never bypassed.
/// </summary>
public sealed class ChallengesFactory(string redisConfiguration, Uri webhookUrl, FakeTimeProvider clock,
    IReadOnlyDictionary<string, string?>? extra = null) : WebApplicationFactory<Program>
{
    public FakeTimeProvider Clock { get; } = clock;

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
        settings["Redis:Configuration"] = redisConfiguration;
        // The OpenAPI document is served outside Development only when enabled: the drift test reads it here.
        settings["OpenApi:Enabled"] = "true";
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.AddProvider(new TestLogSink()).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }
}
