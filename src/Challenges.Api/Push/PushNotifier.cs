using System.Threading.Channels;
using Challenges.Api.Delivery;
using Challenges.Api.Observability;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Polly;
using Polly.Retry;

namespace Challenges.Api.Push;

/// <summary>One <c>push.created</c> event to deliver; <see cref="EventId"/> stays the same across retries.</summary>
/// <remarks><see cref="Type"/>: <c>push.created</c>, or <c>push.reported</c> for a push the user reported as not theirs.</remarks>
public sealed record PushCreated(Tenant Tenant, string EventId, IReadOnlyList<KeyValuePair<string, string?>> Data, DateTimeOffset ExpiresAt,
    string Type = PushNotifier.EventType);

/// <summary>
/// Delivers <c>push.created</c> in the background: it is only a prompt (the device also finds the challenge by
/// polling), so it never blocks or fails the start. Each event is attempted at once and retried with back-off while
/// its challenge is alive, a few times at most (a Polly retry whose delays run on the <see cref="TimeProvider"/>).
/// </summary>
public sealed partial class PushNotifier : BackgroundService
{
    public const string EventType = "push.created";

    /// <summary>A user rejected a push as "this wasn't me": pushes to the user are paused.</summary>
    public const string ReportedEventType = "push.reported";

    /// <summary>How long a <c>push.reported</c> event is retried (it has no challenge lifetime to follow).</summary>
    public static readonly TimeSpan ReportRetryWindow = TimeSpan.FromMinutes(10);
    private const int MaxAttempts = 5;
    private const int MaxConcurrent = 32;
    private static readonly ResiliencePropertyKey<DateTimeOffset> ExpiresAt = new("push.expiresAt");

    private readonly Channel<PushCreated> _queue = Channel.CreateBounded<PushCreated>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly WebhookClient _webhooks;
    private readonly ChallengeMetrics _metrics;
    private readonly ILogger<PushNotifier> _logger;
    private readonly ResiliencePipeline<WebhookResult> _retry;

    public PushNotifier(WebhookClient webhooks, ChallengeMetrics metrics, TimeProvider time, ILogger<PushNotifier> logger)
    {
        _webhooks = webhooks;
        _metrics = metrics;
        _logger = logger;
        // A refused attempt is retried while the next try still falls inside the challenge's lifetime.
        _retry = new ResiliencePipelineBuilder<WebhookResult> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<WebhookResult>
            {
                MaxRetryAttempts = MaxAttempts - 1,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Delivered: false }
                    && time.GetUtcNow() + Backoff(args.AttemptNumber + 1) < args.Context.Properties.GetValue(ExpiresAt, default)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Backoff(args.AttemptNumber + 1)),
            })
            .Build();
    }

    /// <summary>Queues an event; when the queue is full the prompt is dropped (the device still polls).</summary>
    public void Enqueue(PushCreated item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!_queue.Writer.TryWrite(item))
        {
            LogDropped(_logger, item.Tenant.Id);
        }
    }

    /// <summary>The data of <c>push.created</c> for one device a challenge targets (its push token included, for the relay).</summary>
    public static List<KeyValuePair<string, string?>> CreatedData(PushChallengeRecord challenge, AuthenticatorRecord device)
    {
        ArgumentNullException.ThrowIfNull(device);
        // The action's locale, for a relay that words its notification in the user's language as the server's own do.
        return EventData(challenge, device.Id, new KeyValuePair<string, string?>("pushToken", device.PushToken),
            new KeyValuePair<string, string?>("locale", challenge.Locale));
    }

    /// <summary>
    /// The data of a push event about <paramref name="challenge"/> and one of its devices: the challenge and its action,
    /// the authenticator, <paramref name="more"/>, and the sign-in attempt's address and browser.
    /// </summary>
    public static List<KeyValuePair<string, string?>> EventData(PushChallengeRecord challenge, string? userAuthenticatorId,
        params KeyValuePair<string, string?>[] more)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        return
        [
            new("challengeId", challenge.Id),
            new("userId", challenge.UserId),
            new("idempotencyKey", challenge.IdempotencyKey),
            new("actionCode", challenge.ActionCode),
            new("userAuthenticatorId", userAuthenticatorId),
            .. more,
            new("ipAddress", challenge.IpAddress),
            new("userAgent", challenge.UserAgent),
        ];
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
        if (item.Tenant.Options.WebhookUrl is null)
        {
            return;
        }
        var context = ResilienceContextPool.Shared.Get(stoppingToken);
        context.Properties.Set(ExpiresAt, item.ExpiresAt);
        var attempts = 0;
        try
        {
            var result = await _retry.ExecuteAsync(async ctx =>
            {
                attempts++;
                return await _metrics.DeliverAsync("push", "webhook",
                    () => _webhooks.SendAsync(item.Tenant, item.Type, item.Data, item.EventId, ctx.CancellationToken), r => r.Delivered);
            }, context);
            if (!result.Delivered)
            {
                LogGaveUp(_logger, item.Tenant.Id, attempts);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (InvalidOperationException e)
        {
            LogFailed(_logger, item.Tenant.Id, e.GetType().Name);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "push.created queue is full for tenant {TenantId}; prompt dropped")]
    private static partial void LogDropped(ILogger logger, string tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "push.created for tenant {TenantId} not delivered after {Attempts} attempts")]
    private static partial void LogGaveUp(ILogger logger, string tenantId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "push.created for tenant {TenantId} failed: {Failure}")]
    private static partial void LogFailed(ILogger logger, string tenantId, string failure);
}
