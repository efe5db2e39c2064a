using Challenges.Benchmarks.Endpoints;
using Challenges.Benchmarks.Profile;

namespace Challenges.Benchmarks.Load;

/// <summary>
/// The <c>load</c> command: warm up, a measured closed loop of the mix (with Redis command counts around it), an
/// optional fixed-rate run at half the measured rates, a MONITOR probe of commands per endpoint, the pending-challenge
/// memory phase, and the report.
/// </summary>
internal static class LoadCommand
{
    public static async Task<int> MainAsync(IReadOnlyList<string> args)
    {
        if (await LoadOptions.ParseOrExplainAsync(args) is not { } options)
        {
            return 2;
        }
        using var http = CreateHttpClient(options);
        var report = await RunAsync(options, http, Console.Out, CancellationToken.None);
        var markdown = ReportWriter.Write(report);
        await File.WriteAllTextAsync(options.ReportPath, markdown);
        await Console.Out.WriteLineAsync(markdown);
        await Console.Out.WriteLineAsync($"Report written to {Path.GetFullPath(options.ReportPath)}");
        return report.Closed.TotalRequests > 0 ? 0 : 1;
    }

    /// <summary>One client for every virtual user: enough pooled connections that none waits for another.</summary>
    public static HttpClient CreateHttpClient(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(16, options.Concurrency * 2),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            AllowAutoRedirect = false,
            UseProxy = false,
        };
        return new HttpClient(handler) { BaseAddress = options.Url, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Runs every phase against <paramref name="http"/> (whose BaseAddress is the server) and returns the numbers.</summary>
    public static async Task<LoadReport> RunAsync(LoadOptions options, HttpClient http, TextWriter log, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var report = new LoadReport(options);
        var scenarios = options.Mix.Select(Scenario.Parse).ToList();
        var setup = new Recorder();
        var api = new ApiClient(http, setup);

        await using var webhooks = options.WebhookPort > 0 ? new WebhookReceiver(options.WebhookPort) : null;
        if (webhooks is not null)
        {
            await webhooks.StartAsync();
        }
        var context = new LoadContext(api, options.Tenant, options.Secret, webhooks);
        await using var redis = options.Redis is null ? null : await RespClient.ConnectAsync(options.Redis);

        var memory = ServerMemory.Find(options.ServerPid, options.Url.Port);
        report.Memory = memory;
        using var sampling = new CancellationTokenSource();
        var sampler = memory?.SampleAsync(sampling.Token) ?? Task.CompletedTask;
        report.RssAtStartKiB = memory?.Read("VmRSS");

        var runner = new LoadRunner(context, scenarios);
        await log.WriteLineAsync($"Setting up {options.Concurrency} virtual users ({string.Join(", ", options.Mix)})...");
        await runner.PrepareAsync(options.Concurrency, cancel);

        if (options.Warmup > TimeSpan.Zero)
        {
            await log.WriteLineAsync($"Warming up for {options.Warmup.TotalSeconds:0.#} s...");
            await runner.RunClosedLoopAsync(new Recorder(), options.Warmup, cancel);
        }

        if (options.Wrk is not null)
        {
            await MeasureEndpointsAsync(options, report, context, log, cancel);
        }

        await log.WriteLineAsync($"Measuring for {options.Duration.TotalSeconds:0.#} s (closed loop)...");
        var commandsBefore = redis is null ? null : await RedisProbe.CommandCallsAsync(redis);
        await runner.RunClosedLoopAsync(report.Closed, options.Duration, cancel);
        if (redis is not null)
        {
            report.CommandCalls = RedisProbe.Delta(commandsBefore!, await RedisProbe.CommandCallsAsync(redis));
        }
        report.RssAfterLoadKiB = memory?.Read("VmRSS");

        if (options.HalfRate)
        {
            var elapsed = report.Closed.Elapsed.TotalSeconds;
            report.HalfRates = report.Closed.Scenarios.Where(s => s.Completed > 0)
                .ToDictionary(s => s.Name, s => s.Completed / elapsed / 2, StringComparer.Ordinal);
            await log.WriteLineAsync("Running at half the measured rates: " +
                string.Join(", ", report.HalfRates.Select(r => $"{r.Key} {r.Value:0.#}/s")));
            report.HalfRate = new Recorder();
            await runner.RunFixedRateAsync(report.HalfRate, report.HalfRates, options.Duration, cancel);
        }

        if (options.Redis is not null && options.ProbeLifecycles > 0)
        {
            await log.WriteLineAsync("Counting Redis commands per endpoint (MONITOR)...");
            report.RoundTrips = await ProbeAsync(options, report, context, runner, cancel);
        }

        if (redis is not null && options.Pending > 0)
        {
            await log.WriteLineAsync($"Creating {options.Pending} pending challenges via {options.PendingVia}...");
            var pendingContext = options.PendingTenant is null
                ? context
                : new LoadContext(api, options.PendingTenant, options.PendingSecret ?? options.Secret, webhooks);
            var pushScenario = scenarios.FirstOrDefault(s => s.Name == "push");
            report.Pending = await PendingChallenges.RunAsync(pendingContext, redis, options.Pending, options.PendingVia,
                options.Concurrency, pushScenario is null || !runner.Available.Contains(pushScenario) ? [] : runner.UsersOf(pushScenario), cancel);
            report.RssAfterPendingKiB = memory?.Read("VmRSS");
        }

        report.Unavailable = runner.Unavailable;
        report.PeakKiB = memory?.Read("VmHWM");
        await sampling.CancelAsync();
        await sampler;
        report.WebhookEvents = webhooks?.Events.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        report.Setup = setup;
        return report;
    }

    /// <summary>
    /// The generator's own /health/live rate with as many virtual users as wrk has connections, then each hot endpoint
    /// with wrk (the first stage is wrk's /health/live), then, with <c>--ladder</c>, the bare server's stages.
    /// </summary>
    private static async Task MeasureEndpointsAsync(LoadOptions options, LoadReport report, LoadContext context, TextWriter log,
        CancellationToken cancel)
    {
        var wrk = new WrkSettings(options.Wrk!, options.WrkThreads, options.WrkConnections);
        report.EndpointRunner = wrk.Describe();
        if (context.Webhooks is null)
        {
            report.EndpointsSkipped = "the endpoint stages need the webhook receiver (--webhook-port) for the SMS codes and push challenges";
            return;
        }
        await log.WriteLineAsync($"The generator alone on /health/live for {options.WrkDuration.TotalSeconds:0.#} s ({options.WrkConnections} virtual users)...");
        var check = new LoadRunner(context, [new BaselineScenario()]);
        await check.PrepareAsync(options.WrkConnections, cancel);
        report.GeneratorCheck = new Recorder();
        await check.RunClosedLoopAsync(report.GeneratorCheck, options.WrkDuration, cancel);

        var work = Directory.CreateTempSubdirectory("challenges-wrk-");
        try
        {
            await log.WriteLineAsync($"Measuring each endpoint with {wrk.Describe()}...");
            var pid = report.Memory?.Pid;
            var profiler = options.Profile is not null && pid is { } server
                ? new PerfProfiler(server, Directory.CreateDirectory(Path.ChangeExtension(options.Profile, null) + "-perf").FullName)
                : null;
            var chain = new EndpointChain(context, new WrkRunner(wrk, options.Url, work.FullName), context.Webhooks.Chain, log,
                pid, profiler is null ? null : profiler.StartAsync);
            report.Endpoints = await chain.RunAsync(options.WrkUsers, options.WrkPushUsers, options.WrkDuration, cancel);
            if (profiler is not null)
            {
                await File.WriteAllTextAsync(options.Profile!, profiler.Write(), cancel);
                report.ProfiledTo = options.Profile;
                await log.WriteLineAsync($"Profile written to {Path.GetFullPath(options.Profile!)}");
            }
            if (options.Ladder)
            {
                await log.WriteLineAsync("Measuring /health/live from bare Kestrel up through the server's pipeline...");
                report.Ladder = await PipelineLadder.RunAsync(wrk, options.LadderDuration, options.LadderRounds, work.FullName,
                    (options.Url, pid), log, cancel);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>A few lifecycles per scenario, one request at a time, bracketed for MONITOR.</summary>
    private static async Task<IReadOnlyList<RoundTrips>> ProbeAsync(LoadOptions options, LoadReport report, LoadContext context,
        LoadRunner runner, CancellationToken cancel)
    {
        await using var probe = await RoundTripProbe.StartAsync(options.Redis!);
        using var http = new HttpClient();
        var countedBefore = options.Metrics is null ? null : await ServerRoundTrips.ScrapeAsync(http, options.Metrics, cancel);
        context.Api.Recorder = new Recorder();
        context.Api.Observer = probe;
        try
        {
            foreach (var scenario in runner.Available)
            {
                var user = runner.UsersOf(scenario)[0];
                for (var i = 0; i < options.ProbeLifecycles; i++)
                {
                    try
                    {
                        await scenario.RunAsync(context, user, cancel);
                    }
                    catch (Exception e) when (e is LifecycleFailedException or FeatureMissingException)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            context.Api.Observer = null;
        }
        if (countedBefore is not null)
        {
            // The exporter answers a scrape from a cache that lives a few hundred milliseconds.
            await Task.Delay(TimeSpan.FromSeconds(1.5), cancel);
            report.ServerRoundTrips = ServerRoundTrips.Delta(countedBefore, await ServerRoundTrips.ScrapeAsync(http, options.Metrics!, cancel));
        }
        return await probe.FinishAsync();
    }
}

/// <summary>Everything a run measured; <see cref="ReportWriter"/> turns it into markdown.</summary>
internal sealed class LoadReport(LoadOptions options)
{
    public LoadOptions Options { get; } = options;
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public Recorder Setup { get; set; } = new();
    public Recorder Closed { get; } = new();
    public Recorder? HalfRate { get; set; }
    public IReadOnlyDictionary<string, double>? HalfRates { get; set; }
    public IReadOnlyDictionary<string, long>? CommandCalls { get; set; }
    public IReadOnlyList<RoundTrips>? RoundTrips { get; set; }

    /// <summary>The server's own count of store round trips per request during the probe, by route; null when not read.</summary>
    public IReadOnlyDictionary<string, ServerRoundTrips.Histogram>? ServerRoundTrips { get; set; }
    public PendingResult? Pending { get; set; }
    public ServerMemory? Memory { get; set; }
    public long? RssAtStartKiB { get; set; }
    public long? RssAfterLoadKiB { get; set; }
    public long? RssAfterPendingKiB { get; set; }
    public long? PeakKiB { get; set; }
    public IReadOnlyDictionary<string, string> Unavailable { get; set; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, long>? WebhookEvents { get; set; }
    public string? EndpointRunner { get; set; }
    public string? EndpointsSkipped { get; set; }
    public IReadOnlyList<StageResult>? Endpoints { get; set; }
    public Recorder? GeneratorCheck { get; set; }
    public IReadOnlyList<LadderStep>? Ladder { get; set; }
    public string? ProfiledTo { get; set; }
}
