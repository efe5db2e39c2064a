using Challenges.Api.Http;
using Challenges.Api.PushDelivery;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Push;

/// <summary>
/// Tells the devices of a stored push challenge about it, the tenant's way (<see cref="PushOptions.Delivery"/>): a
/// <c>push.created</c> event per device for the tenant's relay, a notification straight through APNs or FCM, or both.
/// The direct sends run in the background, tied to the process's life and not to the request that started the
/// challenge; the start waits for them a bounded time (<c>Push__ResultWait</c>) to report each device's outcome. A
/// token the push service calls dead is dropped from its device (unless the device registered another one since).
/// </summary>
public sealed partial class PushDispatcher(
    IPushDelivery delivery,
    UserStore users,
    PushNotifier notifier,
    IHostApplicationLifetime lifetime,
    IOptions<PushProvidersOptions> options,
    TimeProvider time,
    ILogger<PushDispatcher> logger)
{
    /// <summary>Starts the delivery of <paramref name="challenge"/> to <paramref name="devices"/>; never throws for a failed send.</summary>
    public PushDispatch Dispatch(Tenant tenant, PushChallengeRecord challenge, IReadOnlyList<AuthenticatorRecord> devices)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(devices);
        var mode = tenant.Options.Push.DeliveryMode();
        if (PushDeliveryModes.SendsWebhook(mode))
        {
            foreach (var device in devices)
            {
                notifier.Enqueue(new PushCreated(tenant, Ids.New(), PushNotifier.CreatedData(challenge, device), challenge.ExpiresAt));
            }
        }
        if (!PushDeliveryModes.SendsDirect(mode))
        {
            // The tenant's relay sends: a device without a token is one it cannot reach either.
            return new PushDispatch(devices.Select(d => (d.Id, Task.FromResult(d.PushToken is null
                ? new DeliveryResult(d.Id, PushErrorCodes.TokenMissing, DeliveryStatuses.Failed)
                : new DeliveryResult(d.Id, null, DeliveryStatuses.Webhook)))).ToList(), options.Value.ResultWait, time);
        }
        var message = PushMessage.For(tenant, challenge.Id, challenge.ActionCode, challenge.Locale, challenge.ExpiresAt);
        var sends = devices.Select(d => (d.Id, Task.Run(() => SendAsync(tenant, challenge.UserId, message, d), CancellationToken.None))).ToList();
        return new PushDispatch(sends, options.Value.ResultWait, time);
    }

    private async Task<DeliveryResult> SendAsync(Tenant tenant, string userId, PushMessage message, AuthenticatorRecord device)
    {
        PushDeliveryResult sent;
        try
        {
            sent = await delivery.SendAsync(tenant, message, new PushTarget(device.Id, device.DevicePlatform, device.PushToken),
                lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException)
        {
            // The process is stopping: the device still finds the challenge when its app opens.
            return new DeliveryResult(device.Id, PushErrorCodes.ProviderError, DeliveryStatuses.Failed);
        }
        if (sent.TokenDead)
        {
            try
            {
                if (await users.DropPushTokenAsync(tenant.Id, userId, device.Id, device.PushToken!))
                {
                    LogTokenDropped(logger, tenant.Id, device.Id);
                }
            }
            catch (Exception e) when (e is StoreUnavailableException or InvalidOperationException)
            {
                // Kept for now: the next send meets the same answer and tries again.
                LogDropFailed(logger, tenant.Id, device.Id, e.GetType().Name);
            }
        }
        return sent.Delivered
            ? new DeliveryResult(device.Id, null, DeliveryStatuses.Sent)
            : new DeliveryResult(device.Id, sent.ErrorCode ?? PushErrorCodes.ProviderError, DeliveryStatuses.Failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead push token of authenticator {UserAuthenticatorId} (tenant {TenantId}) dropped")]
    private static partial void LogTokenDropped(ILogger logger, string tenantId, string userAuthenticatorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead push token of authenticator {UserAuthenticatorId} (tenant {TenantId}) not dropped: {Failure}")]
    private static partial void LogDropFailed(ILogger logger, string tenantId, string userAuthenticatorId, string failure);
}

/// <summary>The sends of one challenge to each device it targets (by authenticator id), under way or done.</summary>
public sealed class PushDispatch(IReadOnlyList<(string UserAuthenticatorId, Task<DeliveryResult> Send)> sends, TimeSpan wait, TimeProvider time)
{
    /// <summary>
    /// Each device's outcome, waiting at most the configured time for them; one still under way is <c>PENDING</c> and
    /// goes on in the background. <paramref name="cancellationToken"/> only shortens the wait, never a send.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryResult>> ResultsAsync(CancellationToken cancellationToken = default)
    {
        var all = Task.WhenAll(sends.Select(s => s.Send));
        if (!all.IsCompleted)
        {
            try
            {
                await all.WaitAsync(wait, time, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
        return sends.Select(s => s.Send.IsCompletedSuccessfully ? s.Send.Result
            : new DeliveryResult(s.UserAuthenticatorId, null, DeliveryStatuses.Pending)).ToList();
    }
}

/// <summary>
/// One targeted authenticator in <c>deliveryResults</c>: <c>errorCode</c> when its send failed (<c>push_token_missing</c>,
/// <c>push_token_invalid</c>, <c>push_not_configured</c>, <c>provider_error</c>), and <c>status</c> (ours, one of
/// <see cref="DeliveryStatuses"/>).
/// </summary>
public sealed record DeliveryResult(string UserAuthenticatorId, string? ErrorCode, string Status);

public static class DeliveryStatuses
{
    /// <summary>APNs or FCM accepted the notification.</summary>
    public const string Sent = "SENT";

    /// <summary>The send failed; <c>errorCode</c> says why.</summary>
    public const string Failed = "FAILED";

    /// <summary>Still being sent (a slow or retried push service) when the start answered; it goes on in the background.</summary>
    public const string Pending = "PENDING";

    /// <summary>Handed to the tenant's relay as <c>push.created</c> (webhook delivery): its outcome is the relay's.</summary>
    public const string Webhook = "WEBHOOK";
}
