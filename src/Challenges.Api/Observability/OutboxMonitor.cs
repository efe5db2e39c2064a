using Challenges.Api.Storage;
using Challenges.Api.Users;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Observability;

/// <summary>
/// Measures the lifecycle event outbox now and then for the gauges, so that a scrape never waits on the store.
/// </summary>
public sealed partial class OutboxMonitor(
    UserStore users,
    ChallengeMetrics metrics,
    TimeProvider time,
    IOptions<MetricsOptions> options,
    ILogger<OutboxMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.OutboxInterval, time);
        do
        {
            try
            {
                var (backlog, oldest) = await users.OutboxStatusAsync();
                metrics.SetOutbox(backlog, oldest is { } since ? time.GetUtcNow() - since : TimeSpan.Zero);
            }
            catch (StoreUnavailableException e)
            {
                LogUnavailable(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox gauges not measured: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
