using System.Threading.Channels;
using Challenges.Api.Delivery;
using Challenges.Api.Tenants;

namespace Challenges.Api.Push;

/// <summary>One <c>push.created</c> event to deliver; <see cref="EventId"/> stays the same across retries.</summary>
public sealed record PushCreated(Tenant Tenant, string EventId, IReadOnlyList<KeyValuePair<string, string?>> Data, DateTimeOffset ExpiresAt);

/// <summary>
/// Delivers <c>push.created</c> in the background: it is only a prompt (the device also finds the challenge by
/// polling), so it never blocks or fails the start. Each event is attempted at once and retried with back-off while
/// its challenge is alive, a few times at most.
/// </summary>
public sealed partial class PushNotifier(WebhookClient webhooks, TimeProvider time, ILogger<PushNotifier> logger) : BackgroundService
{
    public const string EventType = "push.created";
    private const int MaxAttempts = 5;
    private const int MaxConcurrent = 32;

    private readonly Channel<PushCreated> _queue = Channel.CreateBounded<PushCreated>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Queues an event; when the queue is full the prompt is dropped (the device still polls).</summary>
    public void Enqueue(PushCreated item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!_queue.Writer.TryWrite(item))
        {
            LogDropped(logger, item.Tenant.Id);
        }
    }

    /// <summary>Seconds to wait after failed attempt <paramref name="attempt"/>: 1, 3, 9, 27.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromSeconds(Math.Pow(3, attempt - 1));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(MaxConcurrent);
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await slots.WaitAsync(stoppingToken);
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await DeliverAsync(item, stoppingToken);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: undelivered prompts are dropped, the devices still poll.
        }
        // Let running deliveries see the cancellation before the semaphore goes away.
        for (var i = 0; i < MaxConcurrent; i++)
        {
            await slots.WaitAsync(CancellationToken.None);
        }
    }

    private async Task DeliverAsync(PushCreated item, CancellationToken stoppingToken)
    {
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var result = await webhooks.SendAsync(item.Tenant, EventType, item.Data, item.EventId, stoppingToken);
                if (result.Delivered || item.Tenant.Options.WebhookUrl is null)
                {
                    return;
                }
                var delay = Backoff(attempt);
                if (attempt >= MaxAttempts || time.GetUtcNow() + delay >= item.ExpiresAt)
                {
                    LogGaveUp(logger, item.Tenant.Id, attempt);
                    return;
                }
                await Task.Delay(delay, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (InvalidOperationException e)
        {
            LogFailed(logger, item.Tenant.Id, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "push.created queue is full for tenant {TenantId}; prompt dropped")]
    private static partial void LogDropped(ILogger logger, string tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "push.created for tenant {TenantId} not delivered after {Attempts} attempts")]
    private static partial void LogGaveUp(ILogger logger, string tenantId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "push.created for tenant {TenantId} failed: {Failure}")]
    private static partial void LogFailed(ILogger logger, string tenantId, string failure);
}
