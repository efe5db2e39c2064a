using System.Threading.RateLimiting;
using Challenges.Api.Observability;
using Challenges.Api.Tenants;
using Polly;
using Polly.Retry;

namespace Challenges.Api.PushDelivery;

/// <summary>
/// Sends a challenge's notification to a device through its push service. A transient failure (throttling, an outage,
/// no answer) is retried by one Polly policy with jittered exponential back-off from <see cref="FirstRetryDelay"/> up to
/// <see cref="MaxRetryDelay"/>, or after the service's <c>Retry-After</c>, <see cref="MaxAttempts"/> times at most
/// and only while the challenge is open; its delays run on the <see cref="TimeProvider"/>. Each service has its own
/// bound on requests in flight (<c>Push__Apns__MaxConcurrentSends</c>, <c>Push__Fcm__MaxConcurrentSends</c>); sends
/// beyond it wait in order for a slot.
/// </summary>
public sealed partial class DirectPushDelivery : IPushDelivery, IDisposable
{
    public const int MaxAttempts = 5;
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Sends waiting for a slot, per service; more fail at once (and are retried later like any transient failure).</summary>
    private const int MaxWaiting = 10_000;

    private static readonly ResiliencePropertyKey<DateTimeOffset> ExpiresAt = new("push.expiresAt");

    private readonly PushProviderRegistry _providers;
    private readonly ChallengeMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<DirectPushDelivery> _logger;
    private readonly ResiliencePipeline<PushSendResult> _retry;
    private readonly Dictionary<string, ConcurrencyLimiter> _slots;

    public DirectPushDelivery(PushProviderRegistry providers, ChallengeMetrics metrics, TimeProvider time, ILogger<DirectPushDelivery> logger)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _providers = providers;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _retry = new ResiliencePipelineBuilder<PushSendResult> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<PushSendResult>
            {
                MaxRetryAttempts = MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = FirstRetryDelay,
                MaxDelay = MaxRetryDelay,
                // A transient failure is tried again unless the service's own wait already runs past the challenge.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Status: PushSendStatus.Transient } result
                    && time.GetUtcNow() + (result.RetryAfter ?? TimeSpan.Zero) < args.Context.Properties.GetValue(ExpiresAt, default)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
            })
            .Build();
        _slots = providers.All.ToDictionary(p => p.Name, p => new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = p.Service.MaxConcurrentSends,
            QueueLimit = MaxWaiting,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        }), StringComparer.Ordinal);
    }

    /// <summary>Sends waiting for a slot of the service named <paramref name="provider"/>.</summary>
    public long Waiting(string provider) => _slots[provider].GetStatistics()?.CurrentQueuedCount ?? 0;

    public async Task<PushDeliveryResult> SendAsync(Tenant tenant, PushMessage message, PushTarget device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(device);
        if (string.IsNullOrEmpty(device.PushToken))
        {
            return new(device.UserAuthenticatorId, null, PushSendResult.Failed(PushErrorCodes.TokenMissing, "NoPushToken"));
        }
        var provider = _providers.For(tenant, device.Platform, device.PushToken);
        if (provider is null)
        {
            return new(device.UserAuthenticatorId, null, PushSendResult.Failed(PushErrorCodes.NotConfigured, "NoCredentials"));
        }
        var result = await SendWithRetriesAsync(provider, tenant, message, device.PushToken, cancellationToken);
        switch (result.Status)
        {
            case PushSendStatus.Delivered:
                break;
            case PushSendStatus.TokenDead:
                LogTokenDead(_logger, tenant.Id, provider.Name, device.UserAuthenticatorId, result.Reason);
                break;
            default:
                // A transient failure that outlived its retries or the challenge is a failed send.
                result = result with { Status = PushSendStatus.Failed, RetryAfter = null };
                LogFailed(_logger, tenant.Id, provider.Name, device.UserAuthenticatorId, result.ErrorCode, result.Reason);
                break;
        }
        return new(device.UserAuthenticatorId, provider.Name, result);
    }

    private async Task<PushSendResult> SendWithRetriesAsync(IPushProvider provider, Tenant tenant, PushMessage message, string token,
        CancellationToken cancellationToken)
    {
        var last = PushSendResult.Transient("ChallengeExpired");
        var left = message.ExpiresAt - _time.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            return last;
        }
        // The challenge's expiry ends the send wherever it is: waiting for a slot, for a retry, or for an answer.
        using var expiry = new CancellationTokenSource(left, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        var context = ResilienceContextPool.Shared.Get(linked.Token);
        context.Properties.Set(ExpiresAt, message.ExpiresAt);
        try
        {
            return await _retry.ExecuteAsync(async ctx => last = await AttemptAsync(provider, tenant, message, token, ctx.CancellationToken), context);
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return last;
        }
        catch (Exception e) when (e is InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            // The tenant's credentials could not be read (a key file removed since the start, say).
            LogCredentialsUnusable(_logger, tenant.Id, provider.Name, e.GetType().Name);
            return PushSendResult.Failed(PushErrorCodes.ProviderError, "CredentialsUnusable");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<PushSendResult> AttemptAsync(IPushProvider provider, Tenant tenant, PushMessage message, string token,
        CancellationToken cancellationToken)
    {
        using var slot = await _slots[provider.Name].AcquireAsync(1, cancellationToken);
        if (!slot.IsAcquired)
        {
            return PushSendResult.Transient("TooManyWaiting");
        }
        return await _metrics.DeliverAsync("push", provider.Name,
            () => provider.SendAsync(tenant, message, token, cancellationToken), r => r.Status == PushSendStatus.Delivered);
    }

    public void Dispose()
    {
        foreach (var slots in _slots.Values)
        {
            slots.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{Provider} says the push token of authenticator {UserAuthenticatorId} (tenant {TenantId}) is dead: {Reason}")]
    private static partial void LogTokenDead(ILogger logger, string tenantId, string provider, string userAuthenticatorId, string? reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Push notification to authenticator {UserAuthenticatorId} (tenant {TenantId}) through {Provider} failed: {ErrorCode} {Reason}")]
    private static partial void LogFailed(ILogger logger, string tenantId, string provider, string userAuthenticatorId, string? errorCode, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Provider} credentials of tenant {TenantId} cannot be used: {Failure}")]
    private static partial void LogCredentialsUnusable(ILogger logger, string tenantId, string provider, string failure);
}
