using System.Collections.Concurrent;
using System.Globalization;

namespace Challenges.Benchmarks.Load;

/// <summary>
/// Counts the Redis commands each request costs, with Redis's <c>MONITOR</c>: lifecycles run one request at a time, and
/// the generator brackets each request with an <c>ECHO</c> of its own, so every command in between belongs to it.
/// Commands issued by Lua scripts show as <c>[n lua]</c> and are counted apart from the server's own commands
/// (each of those is at most one round trip; commands the server sends concurrently share one).
/// MONITOR slows Redis down, so this runs only outside the measured phases.
/// </summary>
internal sealed class RoundTripProbe : IRequestObserver, IAsyncDisposable
{
    private const string Begin = "challenges-probe-begin:";
    private const string End = "challenges-probe-end";
    private readonly RespClient _control;
    private readonly RespClient _monitor;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;

    private RoundTripProbe(RespClient control, RespClient monitor)
    {
        _control = control;
        _monitor = monitor;
    }

    public static async Task<RoundTripProbe> StartAsync(string redisConfiguration)
    {
        var probe = new RoundTripProbe(await RespClient.ConnectAsync(redisConfiguration), await RespClient.ConnectAsync(redisConfiguration));
        await probe._monitor.CommandAsync("MONITOR");
        probe._reader = Task.Run(probe.ReadAsync);
        return probe;
    }

    private async Task ReadAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (await _monitor.ReadAsync() is string line)
                {
                    _lines.Enqueue(line);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection is closed when the probe ends.
        }
    }

    public async Task BeforeAsync(string endpoint) => await _control.CommandAsync("ECHO", Begin + endpoint);

    public async Task AfterAsync(string endpoint) => await _control.CommandAsync("ECHO", End);

    /// <summary>Stops monitoring and sums the commands seen inside each endpoint's brackets.</summary>
    public async Task<IReadOnlyList<RoundTrips>> FinishAsync()
    {
        // The last marker has been answered, so MONITOR has already sent every line before it; give the reader a moment.
        const string done = "challenges-probe-done";
        await _control.CommandAsync("ECHO", done);
        for (var i = 0; i < 200 && !_lines.Any(l => l.Contains(done, StringComparison.Ordinal)); i++)
        {
            await Task.Delay(10);
        }
        await _stop.CancelAsync();
        await _monitor.DisposeAsync();
        await _reader;

        var results = new Dictionary<string, RoundTrips>(StringComparer.Ordinal);
        RoundTrips? current = null;
        foreach (var line in _lines)
        {
            var (source, command, firstArgument) = Parse(line);
            if (command == "ECHO" && firstArgument is not null && firstArgument.StartsWith(Begin, StringComparison.Ordinal))
            {
                var endpoint = firstArgument[Begin.Length..];
                if (!results.TryGetValue(endpoint, out current))
                {
                    results[endpoint] = current = new RoundTrips(endpoint);
                }
                current.Requests++;
                continue;
            }
            if (command == "ECHO" && firstArgument == End)
            {
                current = null;
                continue;
            }
            if (current is null || command is null)
            {
                continue;
            }
            if (source == "lua")
            {
                current.ScriptCommands++;
            }
            else
            {
                current.ServerCommands++;
                current.Commands[command] = current.Commands.GetValueOrDefault(command) + 1;
            }
        }
        return [.. results.Values];
    }

    /// <summary>A MONITOR line: <c>+1700000000.123456 [0 127.0.0.1:53412] "EVALSHA" "ab12..." "1" ...</c>.</summary>
    private static (string? Source, string? Command, string? FirstArgument) Parse(string line)
    {
        var open = line.IndexOf('[', StringComparison.Ordinal);
        var close = line.IndexOf(']', StringComparison.Ordinal);
        if (open < 0 || close < open)
        {
            return (null, null, null);
        }
        var source = line[(open + 1)..close].Split(' ').LastOrDefault();
        var quoted = line[(close + 1)..].Split('"');
        var command = quoted.Length > 1 ? quoted[1].ToUpperInvariant() : null;
        var first = quoted.Length > 3 ? quoted[3] : null;
        return (source, command, first);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _control.DisposeAsync();
        await _monitor.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>Commands per request of one endpoint, as MONITOR saw them.</summary>
internal sealed class RoundTrips(string endpoint)
{
    public string Endpoint { get; } = endpoint;
    public int Requests { get; set; }
    public int ServerCommands { get; set; }
    public int ScriptCommands { get; set; }
    public Dictionary<string, int> Commands { get; } = new(StringComparer.Ordinal);

    public double ServerPerRequest => Requests == 0 ? 0 : (double)ServerCommands / Requests;
    public double ScriptPerRequest => Requests == 0 ? 0 : (double)ScriptCommands / Requests;

    public string Breakdown => string.Join(", ", Commands.OrderByDescending(c => c.Value)
        .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {(double)c.Value / Math.Max(1, Requests):0.##}")));
}
