using Challenges.Api.Storage;

namespace Challenges.Api.Tests.Storage;

public sealed class StoreRoundTripsTests
{
    [Fact]
    public async Task Calls_sent_before_any_wait_share_one_round_trip()
    {
        var count = await Task.Run(() =>
        {
            var counted = StoreRoundTrips.Begin();
            StoreRoundTrips.Note();
            StoreRoundTrips.Note();
            StoreRoundTrips.Note();
            return counted();
        });
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task A_call_sent_after_the_request_waited_starts_the_next_round_trip()
    {
        var count = await Task.Run(async () =>
        {
            var counted = StoreRoundTrips.Begin();
            StoreRoundTrips.Note();
            await Task.Yield();
            StoreRoundTrips.Note();
            StoreRoundTrips.Note();
            await Task.Delay(1);
            StoreRoundTrips.Note();
            return counted();
        });
        Assert.Equal(3, count);
    }

    [Fact]
    public async Task Awaiting_what_is_already_done_is_no_wait_and_background_work_is_not_counted()
    {
        var count = await Task.Run(async () =>
        {
            var counted = StoreRoundTrips.Begin();
            StoreRoundTrips.Note();
            await Task.CompletedTask;
            StoreRoundTrips.Note();
            Task background;
            using (ExecutionContext.SuppressFlow())
            {
                background = Task.Run(StoreRoundTrips.Note);
            }
            await background;
            return counted();
        });
        Assert.Equal(1, count);
    }
}
