using Challenges.Api.Storage;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Storage;

public sealed class ConflictRetryTests
{
    [Fact]
    public async Task A_lost_race_runs_again_at_once_until_the_attempt_sticks()
    {
        var retry = new ConflictRetry(TestClock.StartingNow());
        var attempts = new List<int>();
        var result = await retry.RunAsync("testing", n =>
        {
            attempts.Add(n);
            return Task.FromResult(n < 3 ? Attempt.Conflict<string>() : (Attempt<string>)"done");
        });
        Assert.Equal("done", result);
        Assert.Equal([1, 2, 3], attempts);
    }

    [Fact]
    public async Task After_the_first_losses_it_pauses_on_the_servers_clock()
    {
        var clock = TestClock.StartingNow();
        var retry = new ConflictRetry(clock);
        var attempts = 0;
        var running = retry.RunAsync("testing", _ =>
            Task.FromResult(++attempts <= ConflictRetry.ImmediateAttempts ? Attempt.Conflict<int>() : (Attempt<int>)attempts));

        // The eighth loss waits a millisecond of the clock's time: nothing runs until the clock moves.
        await Task.Delay(100);
        Assert.False(running.IsCompleted);
        Assert.Equal(ConflictRetry.ImmediateAttempts, attempts);
        clock.Advance(ConflictRetry.PauseAfter(ConflictRetry.ImmediateAttempts));
        Assert.Equal(ConflictRetry.ImmediateAttempts + 1, await running);
    }

    [Fact]
    public async Task It_gives_up_after_a_bounded_number_of_attempts()
    {
        var retry = new ConflictRetry(TimeProvider.System);
        var attempts = 0;
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            retry.RunAsync("testing", _ =>
            {
                attempts++;
                return Task.FromResult(Attempt.Conflict<int>());
            }));
        Assert.Equal(ConflictRetry.MaxAttempts, attempts);
        Assert.Contains("Gave up testing", failure.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMilliseconds(50), ConflictRetry.PauseAfter(ConflictRetry.MaxAttempts - 1));
    }
}
