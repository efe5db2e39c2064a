using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>
/// What a test that starts the server as a process (<see cref="ServerProcess"/>) needs: a real redis-server and a webhook
/// listener of its own, the settings that point the process at them, and its output as lines.
/// </summary>
public abstract class ProcessTestBed : IAsyncLifetime
{
    protected RedisServer Redis { get; } = new();

    protected WebhookListener Webhooks { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Webhooks.DisposeAsync();
        await Redis.DisposeAsync();
    }

    /// <summary>The tenants' settings with this Redis and listener, and <paramref name="extra"/> over them.</summary>
    protected Dictionary<string, string?> Settings(params (string Key, string Value)[] extra) =>
        ProcessSettings.For(Redis.Configuration, Webhooks.Url, extra);

    protected static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
