using System.Diagnostics;
using System.Threading.Channels;

namespace Challenges.Benchmarks.Load;

/// <summary>Runs virtual users: a closed loop (each user starts again as soon as it finishes) or a fixed arrival rate.</summary>
internal sealed class LoadRunner(LoadContext context, IReadOnlyList<Scenario> scenarios)
{
    private readonly Dictionary<Scenario, List<VirtualUser>> _users = [];

    /// <summary>Scenarios whose endpoints answered during setup, and why the others could not run.</summary>
    public Dictionary<string, string> Unavailable { get; } = new(StringComparer.Ordinal);

    public IEnumerable<Scenario> Available => scenarios.Where(s => !Unavailable.ContainsKey(s.Name));

    public IReadOnlyList<VirtualUser> UsersOf(Scenario scenario) => _users.GetValueOrDefault(scenario) ?? [];

    /// <summary>Creates the virtual users (round robin over the scenarios) and runs each one's setup, a few at a time.</summary>
    public async Task PrepareAsync(int concurrency, CancellationToken cancel)
    {
        using var gate = new SemaphoreSlim(16);
        var setups = new List<Task>();
        for (var i = 0; i < concurrency; i++)
        {
            var scenario = scenarios[i % scenarios.Count];
            var user = new VirtualUser($"bench-{context.RunId}-{scenario.Name}-{i}");
            if (!_users.TryGetValue(scenario, out var list))
            {
                _users[scenario] = list = [];
            }
            list.Add(user);
            setups.Add(SetupAsync(scenario, user, gate, cancel));
        }
        await Task.WhenAll(setups);
    }

    private async Task SetupAsync(Scenario scenario, VirtualUser user, SemaphoreSlim gate, CancellationToken cancel)
    {
        await gate.WaitAsync(cancel);
        try
        {
            if (!Unavailable.ContainsKey(scenario.Name))
            {
                await scenario.SetupAsync(context, user, cancel);
            }
        }
        catch (Exception e) when (e is FeatureMissingException or LifecycleFailedException)
        {
            lock (Unavailable)
            {
                Unavailable.TryAdd(scenario.Name, $"{scenario.Name}: setup failed: {e.Message}");
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Every virtual user repeats its lifecycle until <paramref name="duration"/> has passed.</summary>
    public async Task RunClosedLoopAsync(Recorder recorder, TimeSpan duration, CancellationToken cancel)
    {
        context.Api.Recorder = recorder;
        recorder.Start();
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = new List<Task>();
        foreach (var scenario in Available)
        {
            var counters = recorder.Scenario(scenario.Name);
            counters.VirtualUsers = _users[scenario].Count;
            foreach (var user in _users[scenario])
            {
                loops.Add(Task.Run(async () =>
                {
                    while (Stopwatch.GetTimestamp() < deadline && !cancel.IsCancellationRequested && counters.Unavailable is null)
                    {
                        await RunOnceAsync(scenario, user, counters, cancel);
                    }
                }, cancel));
            }
        }
        await Task.WhenAll(loops);
        recorder.Stop();
        MarkUnavailable(recorder);
    }

    /// <summary>
    /// Starts lifecycles of each scenario at a fixed rate (per second) for <paramref name="duration"/>, each on a free
    /// virtual user of that scenario; a start that finds no free user is counted as skipped, not queued.
    /// </summary>
    public async Task RunFixedRateAsync(Recorder recorder, IReadOnlyDictionary<string, double> rates, TimeSpan duration,
        CancellationToken cancel)
    {
        context.Api.Recorder = recorder;
        recorder.Start();
        var schedulers = Available.Where(s => rates.GetValueOrDefault(s.Name) > 0)
            .Select(s => Task.Run(() => ScheduleAsync(recorder, s, rates[s.Name], duration, cancel), cancel)).ToList();
        await Task.WhenAll(schedulers);
        recorder.Stop();
        MarkUnavailable(recorder);
    }

    private async Task ScheduleAsync(Recorder recorder, Scenario scenario, double rate, TimeSpan duration, CancellationToken cancel)
    {
        var counters = recorder.Scenario(scenario.Name);
        counters.VirtualUsers = _users[scenario].Count;
        var free = Channel.CreateUnbounded<VirtualUser>();
        foreach (var user in _users[scenario])
        {
            free.Writer.TryWrite(user);
        }
        var running = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        for (long i = 0; ; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due >= duration || cancel.IsCancellationRequested || counters.Unavailable is not null)
            {
                break;
            }
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancel);
            }
            if (!free.Reader.TryRead(out var user))
            {
                counters.Skip();
                continue;
            }
            running.Add(Task.Run(async () =>
            {
                await RunOnceAsync(scenario, user, counters, cancel);
                free.Writer.TryWrite(user);
            }, cancel));
        }
        await Task.WhenAll(running);
    }

    private async Task RunOnceAsync(Scenario scenario, VirtualUser user, ScenarioCounters counters, CancellationToken cancel)
    {
        ApiClient.CurrentScenario.Value = counters;
        try
        {
            await scenario.RunAsync(context, user, cancel);
            counters.Complete();
        }
        catch (LifecycleFailedException e)
        {
            counters.Fail(e.Message);
        }
        catch (FeatureMissingException e)
        {
            counters.Unavailable ??= e.Message;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
    }

    private void MarkUnavailable(Recorder recorder)
    {
        foreach (var counters in recorder.Scenarios.Where(c => c.Unavailable is not null))
        {
            Unavailable.TryAdd(counters.Name, $"{counters.Name}: {counters.Unavailable}");
        }
    }
}
