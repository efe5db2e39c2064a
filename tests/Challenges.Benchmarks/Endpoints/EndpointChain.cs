using System.Globalization;
using Challenges.Benchmarks.Load;

namespace Challenges.Benchmarks.Endpoints;

/// <summary>
/// Measures each hot endpoint on its own, one stage after another, each stage's requests prepared from what the
/// stages before produced: track answers give the client tokens for the starts, the SMS starts' webhooks the codes to
/// verify, the push starts' webhooks the challenges the devices sign, the verifies and polls the access tokens to
/// validate. Read-only endpoints repeat their requests; the others spend each prepared request once.
/// </summary>
internal sealed class EndpointChain(LoadContext context, IStageRunner runner, ChainWebhooks webhooks, TextWriter log,
    int? serverPid = null, Func<string, Task<IAsyncDisposable>>? observe = null)
{
    private const string SmsAction = "benchWrkSms";
    private const string PushAction = "benchWrkPush";

    /// <summary>Enough distinct actions to read that the reads are not all of a few cached keys.</summary>
    private const int MaxActionReads = 20_000;

    /// <summary>
    /// Runs every stage. A newer push to a device supersedes the one before, so the push stages start one push per push
    /// user: <paramref name="pushUsers"/> bounds how many requests the push start, device answer and poll stages have.
    /// </summary>
    public async Task<IReadOnlyList<StageResult>> RunAsync(int usersPerKind, int pushUsers, TimeSpan duration, CancellationToken cancel)
    {
        var smsUsers = NewUsers("sms", usersPerKind);
        var devices = NewUsers("push", Math.Max(usersPerKind, pushUsers));
        await log.WriteLineAsync($"Enrolling {smsUsers.Count} SMS users and {devices.Count} push users for the endpoint stages...");
        await ForEachAsync(smsUsers, u => OtpScenario.EnrolAsync(context, u, cancel));
        await ForEachAsync(devices, u => PushScenario.EnrolAsync(context, u, cancel));
        var everyone = Interleave(smsUsers, devices);
        var results = new List<StageResult>();

        async Task<StageResult> RunAsync(EndpointStage stage)
        {
            await log.WriteLineAsync($"  {stage.Name}: {stage.Requests.Count} prepared requests ({(stage.Cycle ? "repeated" : "each once")})...");
            StageResult result;
            // E.g. a profiler recording the server while this stage, and only this stage, runs.
            await using (observe is null ? null : await observe(stage.Name))
            {
                result = await ProcessCpu.MeasureAsync(serverPid, () => runner.RunAsync(stage, duration, cancel));
            }
            results.Add(result);
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"    {result.RequestsPerSecond:0} req/s, {result.CpuMicrosPerRequest:0} µs server CPU per request: {result.Ok} ok, {result.Bad} not ok in {result.Seconds:0.0} s{(result.FirstBad is null ? "" : $"; first not ok: {result.FirstBad}")}"));
            return result;
        }

        await RunAsync(new(EndpointNames.Baseline, [BenchRequest.Get("/health/live")], Cycle: true, "\"Healthy\""));
        await RunAsync(new(EndpointNames.GetUser, [.. everyone.Select(u => BenchRequest.Get(UserPath(u.UserId), context.Server))],
            Cycle: true, "\"isEnrolled\":true"));

        var tracked = await RunAsync(new(EndpointNames.Track,
            [.. everyone.Select(u => BenchRequest.Post($"{UserPath(u.UserId)}/actions/{(u.Key is null ? SmsAction : PushAction)}", context.Server, new { }))],
            Cycle: true, "\"state\":\"CHALLENGE_REQUIRED\"", Capture: "token"));
        var tokens = tracked.Captured.Select(TrackedToken.Read).ToList();
        await RunAsync(new(EndpointNames.GetAction,
            [.. tokens.Take(MaxActionReads).Select(t => BenchRequest.Get(ActionPath(t), context.Server))],
            Cycle: true, "\"state\":\"CHALLENGE_REQUIRED\""));

        // SMS: the start's webhook carries the code (it is sent before the start answers).
        var smsTokens = tokens.Where(t => t.ActionCode == SmsAction).ToList();
        var started = await RunAsync(new(EndpointNames.SmsStart,
            [.. smsTokens.Select(t => BenchRequest.Post("/v1/client/challenge/sms", LoadContext.Bearer(t.Token), new { }))],
            Cycle: false, "\"challengeId\""));
        var coded = smsTokens.Where((_, i) => started.Sent(i))
            .Select(t => (Token: t, Code: webhooks.CodeFor(t.UserId, t.IdempotencyKey))).Where(c => c.Code is not null).ToList();
        var verified = await RunAsync(new(EndpointNames.SmsVerify,
            [.. coded.Select(c => BenchRequest.Post("/v1/client/verify/sms", LoadContext.Bearer(c.Token.Token), new { verificationCode = c.Code }))],
            Cycle: false, "\"isVerified\":true", Capture: "accessToken"));

        // Push: the start answers with the challenge id only; its push.created webhook says whose it is.
        var pushTokens = tokens.Where(t => t.ActionCode == PushAction).DistinctBy(t => t.UserId).ToList();
        var pushed = await RunAsync(new(EndpointNames.PushStart,
            [.. pushTokens.Select(t => BenchRequest.Post("/v1/client/challenge/push", LoadContext.Bearer(t.Token), new { }))],
            Cycle: false, "\"challengeId\"", Capture: "challengeId"));
        var challenges = await webhooks.PushesAsync(pushed.Captured, TimeSpan.FromSeconds(60), cancel);
        if (challenges.Count < pushed.Captured.Count)
        {
            await log.WriteLineAsync($"    only {challenges.Count} of {pushed.Captured.Count} push.created webhooks arrived in 60 s");
        }
        await RunAsync(new(EndpointNames.DeviceFetch,
            [.. devices.Select(u => BenchRequest.Get("/v1/client/user-authenticators/push/challenge?publicKey=" + u.Key!.QueryValue, context.Device))],
            Cycle: true, "\"challengeId\""));
        var keys = devices.ToDictionary(u => u.UserId, u => u.Key!, StringComparer.Ordinal);
        var answered = await RunAsync(new(EndpointNames.DeviceAnswer, Answers(challenges, keys), Cycle: false, "\"isVerified\":true"));
        var actionTokens = pushTokens.ToDictionary(t => (t.UserId, t.IdempotencyKey), t => t.Token);
        var polled = await RunAsync(new(EndpointNames.PushPoll,
            [.. challenges.Where((_, i) => answered.Sent(i)).Select(c => BenchRequest.Post("/v1/client/verify/push",
                LoadContext.Bearer(actionTokens[(c.UserId, c.IdempotencyKey)]), new { challengeId = c.Id }))],
            Cycle: false, "\"isVerified\":true", Capture: "accessToken"));

        await RunAsync(new(EndpointNames.Validate,
            [.. Interleave(verified.Captured, polled.Captured).Select(token => BenchRequest.Post("/v1/validate", context.Server, new { token }))],
            Cycle: false, "\"isValid\":true"));
        return results;
    }

    /// <summary>Each challenge approved by its user's device, signed ahead (in parallel, one key at a time).</summary>
    private BenchRequest[] Answers(IReadOnlyList<PushChallenge> challenges, Dictionary<string, DeviceKey> devices)
    {
        var requests = new BenchRequest[challenges.Count];
        Parallel.ForEach(Enumerable.Range(0, challenges.Count).GroupBy(i => challenges[i].UserId), group =>
        {
            var key = devices[group.Key];
            foreach (var i in group)
            {
                var id = challenges[i].Id;
                requests[i] = BenchRequest.Post("/v1/client/user-authenticators/push/challenge", context.Device,
                    new { challengeId = id, publicKey = key.PublicKey, signature = key.Sign(id), approved = true });
            }
        });
        return requests;
    }

    private List<VirtualUser> NewUsers(string kind, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new VirtualUser($"bench-{context.RunId}-wrk-{kind}-{i}"))];

    private static async Task ForEachAsync(IEnumerable<VirtualUser> users, Func<VirtualUser, Task> action)
    {
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(users.Select(async user =>
        {
            await gate.WaitAsync();
            try
            {
                await action(user);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private static List<T> Interleave<T>(IReadOnlyList<T> a, IReadOnlyList<T> b) =>
        [.. Enumerable.Range(0, Math.Max(a.Count, b.Count)).SelectMany(i => (i < a.Count ? [a[i]] : Array.Empty<T>()).Concat(i < b.Count ? [b[i]] : []))];

    private static string UserPath(string userId) => "/v1/users/" + Uri.EscapeDataString(userId);

    private static string ActionPath(TrackedToken t) =>
        $"{UserPath(t.UserId)}/actions/{Uri.EscapeDataString(t.ActionCode)}/{Uri.EscapeDataString(t.IdempotencyKey)}";
}
