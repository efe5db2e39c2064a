using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Reliability;

/// <summary>A test class with its own Redis, webhook receiver and one real server process.</summary>
public abstract class ServerProcessTest(params string[] redisArguments) : IAsyncLifetime
{
    protected RedisServer Redis { get; } = new(redisArguments);
    protected WebhookListener Webhooks { get; } = new();
    protected ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await ServerProcess.StartAsync(ProcessSettings.For(Redis.Configuration, Webhooks.Url));

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Webhooks.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
