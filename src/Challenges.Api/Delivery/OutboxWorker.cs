using Challenges.Api.Observability;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Delivery;

/// <summary>
/// Delivers lifecycle events from the users' outboxes, in every server process. Users with events wait in a leased
/// queue in the store, so each user's events are worked on by one process at a time and taken over when a process
/// dies. Failed deliveries are retried with exponential back-off; each event keeps its id across attempts.
/// </summary>
public sealed partial class OutboxWorker(
    IWorkQueue queue,
    WorkQueueSignal queued,
    UserStore users,
    TenantRegistry tenants,
    WebhookClient webhooks,
    ChallengeMetrics metrics,
    TimeProvider time,
    IOptions<OutboxOptions> options,
    ILogger<OutboxWorker> logger) : BackgroundService
{
    private const int ClaimBatch = 20;
    private const int EventsPerClaim = 8;
    private readonly OutboxOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = queued.Next;
            var worked = false;
            try
            {
                for (var shard = 0; shard < UserStore.OutboxShards; shard++)
                {
                    worked |= await RunShardAsync(UserStore.OutboxQueue(shard), stoppingToken) > 0;
                }
            }
            catch (StoreUnavailableException e)
            {
                LogStoreUnavailable(logger, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogUnexpected(logger, e);
            }
            if (!worked)
            {
                // Until the poll interval passes on the server's clock, or this process queues work.
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(wake, Task.Delay(_options.PollInterval, time, idle.Token));
                await idle.CancelAsync();
            }
        }
    }

    /// <summary>Works through the due users of one queue shard; returns how many it claimed.</summary>
    public async Task<int> RunShardAsync(string shard, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claimed = await queue.ClaimAsync(shard, now, now + _options.Lease, ClaimBatch);
        foreach (var work in claimed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await ProcessAsync(shard, work, cancellationToken);
        }
        return claimed.Count;
    }

    private async Task ProcessAsync(string shard, ClaimedWork work, CancellationToken cancellationToken)
    {
        if (UserStore.ParseOutboxMember(work.Member) is not var (tenantId, userId) || tenants.FindById(tenantId) is not { } tenant)
        {
            await queue.ReleaseAsync(shard, work.Member, long.MaxValue, null, time.GetUtcNow());
            return;
        }
        var user = await users.GetAsync(tenantId, userId);
        var now = time.GetUtcNow();
        var outcomes = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var e in user.Outbox.Where(e => e.NextAttemptAt <= now).Take(EventsPerClaim))
        {
            var delivered = tenant.Options.WebhookUrl is null
                || (await metrics.DeliverAsync("lifecycle", "webhook", () => webhooks.SendAsync(tenant, e.Type,
                    e.Data.Select(d => new KeyValuePair<string, string?>(d.Key, d.Value)), e.Id, cancellationToken), r => r.Delivered)).Delivered;
            outcomes[e.Id] = delivered;
        }
        now = time.GetUtcNow();
        var after = await users.UpdateAsync(tenantId, userId, u =>
        {
            var remaining = new List<OutboxEvent>();
            foreach (var e in u.Outbox)
            {
                if (!outcomes.TryGetValue(e.Id, out var delivered))
                {
                    remaining.Add(e);
                }
                else if (!delivered)
                {
                    var attempts = e.Attempts + 1;
                    if (now - e.CreatedAt >= _options.GiveUpAfter)
                    {
                        LogGaveUp(logger, e.Type, e.Id, attempts);
                        continue;
                    }
                    remaining.Add(e with { Attempts = attempts, NextAttemptAt = now + _options.DelayAfter(attempts) });
                }
            }
            return outcomes.Count == 0 ? null : u with { Outbox = remaining };
        });
        DateTimeOffset? nextDue = after.Outbox.Count == 0 ? null : after.Outbox.Min(e => e.NextAttemptAt);
        await queue.ReleaseAsync(shard, work.Member, after.OutboxSequence, nextDue, now);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox worker: store unavailable, retrying: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox worker: unexpected failure")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox: gave up on {Type} event {EventId} after {Attempts} attempts")]
    private static partial void LogGaveUp(ILogger logger, string type, string eventId, int attempts);
}
