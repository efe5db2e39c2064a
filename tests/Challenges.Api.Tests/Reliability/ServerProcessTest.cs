using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Reliability;

/// <summary>
/// A test class with its own Redis, webhook receiver and one real server process, configured as the test tenants plus
/// <see cref="Settings"/>. Attack tests derive from it (classes named <c>…AttackTests</c>: the cluster re-run of the
/// suite skips them, as they bring their own Redis).
/// </summary>
public abstract class ServerProcessTest(params string[] redisArguments) : IAsyncLifetime
{
    protected RedisServer Redis { get; } = new(redisArguments);
    protected WebhookListener Webhooks { get; } = new();
    protected ServerProcess Server { get; private set; } = null!;

    /// <summary>A Server API client of the process with tenant A's secret key.</summary>
    protected HttpClient Admin => Server.Client(TestTenants.AKey);

    /// <summary>Settings on top of <see cref="ProcessSettings.For"/> (configuration keys with <c>:</c>).</summary>
    protected virtual (string Key, string Value)[] Settings => [];

    public async Task InitializeAsync() =>
        Server = await ServerProcess.StartAsync(ProcessSettings.For(Redis.Configuration, Webhooks.Url, Settings));

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Webhooks.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
