using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Benchmarks.Endpoints;
using Challenges.Benchmarks.Load;

namespace Challenges.Api.Tests.Performance;

/// <summary>
/// Keeps the endpoint benchmark's stages working without wrk: each stage's prepared requests are sent once, one at a
/// time, against the test server, and every one must be answered as the stage expects. A change to an endpoint that
/// would leave wrk measuring error answers fails here. No timing is asserted.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class EndpointStagesSmokeTests(ApiFixture fixture)
{
    [Fact]
    public async Task Every_stage_prepares_requests_its_endpoint_answers_as_expected()
    {
        using var http = fixture.Factory.CreateClient();
        var webhooks = new ChainWebhooks();
        fixture.Webhooks.Respond = request =>
        {
            using var document = JsonDocument.Parse(request.Body);
            webhooks.Accept(document.RootElement);
            return (200, "{}");
        };
        try
        {
            var context = new LoadContext(new ApiClient(http, new Recorder()), TestTenants.A, TestTenants.AKey, null);
            var chain = new EndpointChain(context, new SequentialRunner(http), webhooks, TextWriter.Null);

            var results = await chain.RunAsync(usersPerKind: 2, pushUsers: 2, TimeSpan.Zero, CancellationToken.None);

            Assert.Equal(
            [
                EndpointNames.Baseline, EndpointNames.GetUser, EndpointNames.Track, EndpointNames.GetAction, EndpointNames.SmsStart,
                EndpointNames.SmsVerify, EndpointNames.PushStart, EndpointNames.DeviceFetch, EndpointNames.DeviceAnswer,
                EndpointNames.PushPoll, EndpointNames.Validate,
            ], results.Select(r => r.Name));
            foreach (var result in results)
            {
                Assert.True(result.Bad == 0, $"{result.Name}: {result.Bad} answers not as expected, first: {result.FirstBad}");
                Assert.True(result.Ok > 0, $"{result.Name}: no request was answered");
            }
            // Every access token from the two verifications validated once.
            Assert.Equal(4, results.Single(r => r.Name == EndpointNames.Validate).Ok);
        }
        finally
        {
            fixture.Webhooks.Respond = _ => (200, "{}");
        }
    }

    [Fact]
    public void The_wrk_result_gives_the_rate_over_the_answered_span_and_which_requests_went_out()
    {
        // Two threads: thread 0 sent 3 lines (0, 2, 4), thread 1 sent 1 (line 1) before the time limit.
        const string line = """
            {"ok":40,"bad":2,"first":1000000,"last":3000000,"requests":45,"durationUs":10000000,"connectErrors":0,"readErrors":0,
             "writeErrors":0,"timeouts":1,"meanUs":1500.5,"p50Us":1000,"p90Us":2000,"p99Us":3000,"maxUs":4000,"sent":[3,1]}
            """;

        var result = WrkRunner.Parse("stage", line, ["a", "b"], "404 {}");

        Assert.Equal(20, result.RequestsPerSecond);
        Assert.Equal(3, result.Bad);
        Assert.Equal([true, true, true, false, true, false], Enumerable.Range(0, 6).Select(result.Sent));
        Assert.Equal(new Latency(1500.5, 1000, 2000, 3000, 4000), result.Latency);
        Assert.StartsWith("1 socket errors or timeouts", result.FirstBad, StringComparison.Ordinal);
    }
}
