using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>
/// A fake clock that also tells which timers the code under test started and when they are due, so that a test can
/// move time by exactly a back-off delay once the delay has begun (and read the delays the policy chose).
/// </summary>
public sealed class WatchedClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    private readonly ConcurrentQueue<TimeSpan> _timers = new();

    /// <summary>The due times of every timer started so far, in order.</summary>
    public IReadOnlyList<TimeSpan> Timers => [.. _timers];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _timers.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>
    /// Lets <paramref name="send"/> run to its end, moving the clock past each delay it starts waiting on (each timer
    /// after the first <paramref name="timersBefore"/>); returns the delays.
    /// </summary>
    public async Task<IReadOnlyList<TimeSpan>> RunThroughDelaysAsync(Task send, int timersBefore)
    {
        ArgumentNullException.ThrowIfNull(send);
        var delays = new List<TimeSpan>();
        var handled = timersBefore;
        while (true)
        {
            await PushServiceFake.WaitUntilAsync(() => send.IsCompleted || Timers.Count > handled, "the send waits or ends");
            if (Timers.Count == handled)
            {
                await send;
                return delays;
            }
            var delay = Timers[handled++];
            delays.Add(delay);
            Advance(delay);
        }
    }
}
