using System.Diagnostics;
using System.Globalization;

namespace Challenges.Benchmarks.Load;

/// <summary>
/// Redis memory per pending challenge: create many challenges that nobody answers, compare <c>used_memory</c> before
/// and after, and attribute the growth to key families with <c>MEMORY USAGE</c> on a sample of each.
/// </summary>
internal static class PendingChallenges
{
    /// <summary>
    /// <paramref name="via"/> <c>otp</c>: server-initiated SMS OTP (<c>POST /v1/challenge</c>), one request per challenge,
    /// no user, a distinct number each (so no action record; best with Log delivery). <c>push</c>: track + start push
    /// for the push scenario's enrolled users, two requests per challenge (the action record is part of the cost).
    /// </summary>
    public static async Task<PendingResult> RunAsync(LoadContext context, RespClient redis, int count, string via,
        int concurrency, IReadOnlyList<VirtualUser> pushUsers, CancellationToken cancel)
    {
        var recorder = new Recorder();
        context.Api.Recorder = recorder;
        var before = await RedisProbe.UsedMemoryAsync(redis);
        var familiesBefore = await RedisProbe.KeyFamiliesAsync(redis, 0);
        if (via == "push" && pushUsers.Count == 0)
        {
            return new PendingResult(via, count, 0, 0, TimeSpan.Zero, 0, [], "push: no enrolled push users (the push scenario did not run)");
        }

        long next = -1;
        long created = 0;
        long failed = 0;
        string? unavailable = null;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            while (unavailable is null && !cancel.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= count)
                {
                    return;
                }
                try
                {
                    if (via == "push")
                    {
                        var user = pushUsers[(int)(i % pushUsers.Count)];
                        var tracked = await context.Api.SendAsync(EndpointNames.Track, HttpMethod.Post,
                            $"/v1/users/{Uri.EscapeDataString(user.UserId)}/actions/benchPending", context.Server, new { }, cancel);
                        await context.Api.SendAsync(EndpointNames.PushStart, HttpMethod.Post, "/v1/client/challenge/push",
                            LoadContext.Bearer(tracked.GetProperty("token").GetString()!), new { }, cancel);
                    }
                    else
                    {
                        var phone = "+1666" + (i % 10_000_000).ToString("D7", CultureInfo.InvariantCulture);
                        await context.Api.SendAsync("POST /v1/challenge (SMS)", HttpMethod.Post, "/v1/challenge", context.Server,
                            new { verificationMethod = "SMS", action = "benchPending", phoneNumber = phone }, cancel);
                    }
                    Interlocked.Increment(ref created);
                }
                catch (LifecycleFailedException)
                {
                    Interlocked.Increment(ref failed);
                }
                catch (FeatureMissingException e)
                {
                    unavailable ??= e.Message;
                }
            }
        }, cancel)).ToList();
        await Task.WhenAll(workers);
        stopwatch.Stop();

        var after = await RedisProbe.UsedMemoryAsync(redis);
        var familiesAfter = await RedisProbe.KeyFamiliesAsync(redis, 50);
        var families = new List<FamilyGrowth>();
        foreach (var family in familiesAfter.Values)
        {
            var added = family.Count - (familiesBefore.TryGetValue(family.Name, out var old) ? old.Count : 0);
            if (added > 0)
            {
                var bytes = await RedisProbe.AverageUsageAsync(redis, family);
                families.Add(new FamilyGrowth(family.Name, added, bytes));
            }
        }
        return new PendingResult(via, count, created, failed, stopwatch.Elapsed, after - before,
            [.. families.OrderByDescending(f => f.Added * f.AverageBytes)], unavailable);
    }
}

internal sealed record FamilyGrowth(string Family, long Added, double AverageBytes);

internal sealed record PendingResult(string Via, int Requested, long Created, long Failed, TimeSpan Elapsed, long UsedMemoryDelta,
    IReadOnlyList<FamilyGrowth> Families, string? Unavailable)
{
    public double BytesPerChallenge => Created == 0 ? 0 : (double)UsedMemoryDelta / Created;
}
