using System.Globalization;

namespace Challenges.Benchmarks.Load;

/// <summary>The <c>load</c> command's arguments; see <see cref="Usage"/>.</summary>
internal sealed record LoadOptions
{
    public const string Usage = """
        load --url http://127.0.0.1:5080 --tenant ID --secret KEY [options]
          --redis HOST:PORT          Redis the server uses (commandstats, memory, MONITOR probe); omit to skip those sections
          --duration 20s             measured closed-loop phase (also 500ms, 2m, or plain seconds)
          --warmup 3s                unmeasured phase before it (JIT, connections)
          --concurrency 64           virtual users, shared round robin by the scenarios of --mix
          --mix otp,push,server,baseline
                                     otp: track, start SMS, code from the webhook, verify, validate
                                     push: track, start push, device fetch, signed approve, poll, validate
                                     server: track, get action, validate, get user
                                     baseline: GET /health/live
          --webhook-port 5091        loopback port of the generator's webhook receiver (the tenant's WebhookUrl)
          --half-rate                then run each scenario at half its measured rate and report p99
          --wrk PATH                 measure each hot endpoint with wrk (e.g. --wrk wrk), beside /health/live, and check
                                     the generator's own /health/live rate against wrk's; needs --webhook-port
          --wrk-threads 1 --wrk-connections 64
                                     wrk's flags, the same for every endpoint and the bare server
          --wrk-duration 10s         per endpoint (an endpoint that spends prepared state may finish sooner)
          --wrk-users 100            users per kind (SMS, push) whose requests the endpoint stages cycle through
          --wrk-push-users 5000      push users for the push stages, one push each (a newer push supersedes the one before)
          --ladder                   with --wrk: also measure /health/live from bare Kestrel up through the server's pipeline
          --ladder-rounds 3 --ladder-duration 5s
                                     rounds over all the ladder's stages (medians are reported), and each measurement's length
          --profile PATH             with --wrk: record the server with perf during each endpoint stage and write where its
                                     time goes to PATH (the server needs DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
          --probe 3                  lifecycles per scenario under Redis MONITOR (commands per endpoint); 0 skips
          --metrics URL              the server's /metrics (Metrics__Enabled=true): the probe adds its count of store round
                                     trips per request
          --pending 100000           pending challenges for the Redis memory measurement; 0 skips
          --pending-via otp          otp (POST /v1/challenge, one request each) or push (track + start push)
          --pending-tenant ID --pending-secret KEY
                                     tenant for the pending phase (e.g. one with Log delivery); default the main tenant
          --server-pid N             server process for peak memory; default: the process listening on --url's port
          --report PATH              markdown report (default report.md)
          --note TEXT                a line printed at the top of the report (e.g. "noisy machine")
        """;

    public required Uri Url { get; init; }
    public required string Tenant { get; init; }
    public required string Secret { get; init; }
    public string? Redis { get; init; }
    public Uri? Metrics { get; init; }
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);
    public int Concurrency { get; init; } = 64;
    public IReadOnlyList<string> Mix { get; init; } = ["otp", "push", "server", "baseline"];
    public int WebhookPort { get; init; }
    public bool HalfRate { get; init; }
    public int ProbeLifecycles { get; init; } = 3;
    public int Pending { get; init; }
    public string PendingVia { get; init; } = "otp";
    public string? PendingTenant { get; init; }
    public string? PendingSecret { get; init; }
    public int? ServerPid { get; init; }
    public string ReportPath { get; init; } = "report.md";
    public string? Note { get; init; }
    public string? Wrk { get; init; }
    public int WrkThreads { get; init; } = 1;
    public int WrkConnections { get; init; } = 64;
    public TimeSpan WrkDuration { get; init; } = TimeSpan.FromSeconds(10);
    public int WrkUsers { get; init; } = 100;
    public int WrkPushUsers { get; init; } = 5000;
    public bool Ladder { get; init; }
    public string? Profile { get; init; }
    public int LadderRounds { get; init; } = 3;
    public TimeSpan LadderDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The options, or null after writing what is wrong with them (and the usage) to the error output.</summary>
    public static async Task<LoadOptions?> ParseOrExplainAsync(IReadOnlyList<string> args)
    {
        try
        {
            return Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return null;
        }
    }

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{name}'.\n{Usage}");
            }
            if (name is "--half-rate" or "--ladder")
            {
                flags.Add(name);
            }
            else if (i + 1 < args.Count)
            {
                values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"{name} needs a value.\n{Usage}");
            }
        }
        string Need(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"{name} is required.\n{Usage}");
        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var mix = values.TryGetValue("--mix", out var m)
            ? m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;
        return new LoadOptions
        {
            Url = new Uri(Need("--url")),
            Tenant = Need("--tenant"),
            Secret = Need("--secret"),
            Redis = values.GetValueOrDefault("--redis"),
            Metrics = values.TryGetValue("--metrics", out var metricsUrl) ? new Uri(metricsUrl) : null,
            Duration = values.TryGetValue("--duration", out var d) ? ParseDuration(d) : TimeSpan.FromSeconds(20),
            Warmup = values.TryGetValue("--warmup", out var w) ? ParseDuration(w) : TimeSpan.FromSeconds(3),
            Concurrency = Int("--concurrency", 64),
            Mix = mix ?? ["otp", "push", "server", "baseline"],
            WebhookPort = Int("--webhook-port", 0),
            HalfRate = flags.Contains("--half-rate"),
            ProbeLifecycles = Int("--probe", 3),
            Pending = Int("--pending", 0),
            PendingVia = values.GetValueOrDefault("--pending-via") ?? "otp",
            PendingTenant = values.GetValueOrDefault("--pending-tenant"),
            PendingSecret = values.GetValueOrDefault("--pending-secret"),
            ServerPid = values.TryGetValue("--server-pid", out var p) ? int.Parse(p, CultureInfo.InvariantCulture) : null,
            ReportPath = values.GetValueOrDefault("--report") ?? "report.md",
            Note = values.GetValueOrDefault("--note"),
            Wrk = values.GetValueOrDefault("--wrk"),
            WrkThreads = Int("--wrk-threads", 1),
            WrkConnections = Int("--wrk-connections", 64),
            WrkDuration = values.TryGetValue("--wrk-duration", out var wd) ? ParseDuration(wd) : TimeSpan.FromSeconds(10),
            WrkUsers = Int("--wrk-users", 100),
            WrkPushUsers = Int("--wrk-push-users", 5000),
            Ladder = flags.Contains("--ladder"),
            Profile = values.GetValueOrDefault("--profile"),
            LadderRounds = Int("--ladder-rounds", 3),
            LadderDuration = values.TryGetValue("--ladder-duration", out var ld) ? ParseDuration(ld) : TimeSpan.FromSeconds(5),
        };
    }

    public static TimeSpan ParseDuration(string text)
    {
        static double Number(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        return text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => TimeSpan.FromMilliseconds(Number(text[..^2])),
            _ when text.EndsWith('s') => TimeSpan.FromSeconds(Number(text[..^1])),
            _ when text.EndsWith('m') => TimeSpan.FromMinutes(Number(text[..^1])),
            _ => TimeSpan.FromSeconds(Number(text)),
        };
    }
}
