using System.Globalization;
using System.Text.Json;
using Challenges.Api.Http;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;

namespace Challenges.Api.Users;

/// <summary>What the command line asks for: <see cref="ReindexUsersCommand"/>, or the server (null).</summary>
/// <param name="Command">The command to run instead of the server; null: serve.</param>
/// <param name="HostArguments">The arguments the host reads (configuration overrides): all of them when serving.</param>
/// <param name="Problem">A command line that cannot be run, as the one line to print.</param>
public sealed record ProgramArguments(ReindexUsersCommand? Command, string[] HostArguments, string? Problem);

/// <summary>
/// <c>reindex-users [--tenant ID]</c>: adds every stored user of every configured tenant (or of one) to the tenant's user
/// index, which <c>GET /v1/users</c> reads. Users stored by a version without the index are not in it until their next
/// write; this puts them there at once. It runs with the server's own configuration and services (so it finds the same
/// Redis, key prefix and tenants), walks the user documents with SCAN on every master (never KEYS, and never on a
/// request), and for each one calls <see cref="UserStore.BackfillIndexAsync"/>: idempotent, and safe while servers serve.
/// It prints one line per tenant and a total; on a configuration or connection problem, one line on standard error and a
/// non-zero exit code. The in-memory store lives in each server process, out of its reach: there is nothing to do.
/// </summary>
public sealed record ReindexUsersCommand(string? TenantId)
{
    public const string Name = "reindex-users";

    /// <summary>Redis did not answer (the configuration names it, but it is down or unreachable).</summary>
    public const int StoreUnavailableExitCode = 2;

    private const string Usage = "usage: reindex-users [--tenant ID] (configuration from the environment, as for the server)";

    /// <summary>User documents worked on at once.</summary>
    private const int Parallelism = 16;

    /// <summary>How <paramref name="args"/> start the process: the command when the first argument names it.</summary>
    public static ProgramArguments Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] != Name)
        {
            return new ProgramArguments(null, args, null);
        }
        string? tenantId = null;
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--tenant" && i + 1 < args.Length && tenantId is null)
            {
                tenantId = args[++i];
            }
            else if (args[i].StartsWith("--tenant=", StringComparison.Ordinal) && tenantId is null)
            {
                tenantId = args[i]["--tenant=".Length..];
            }
            else
            {
                return new ProgramArguments(null, [], $"{Name}: unexpected argument '{args[i]}'; {Usage}.");
            }
        }
        return tenantId is "" ? new ProgramArguments(null, [], $"{Name}: --tenant needs a tenant id; {Usage}.")
            : new ProgramArguments(new ReindexUsersCommand(tenantId), [], null);
    }

    /// <summary>Runs the backfill; returns the process's exit code.</summary>
    public async Task<int> RunAsync(IServiceProvider services, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var tenants = services.GetRequiredService<TenantRegistry>();
        if (TenantId is not null && tenants.FindById(TenantId) is null)
        {
            await error.WriteLineAsync($"{Name}: no tenant '{TenantId}' is configured (Tenants__N__Id).");
            return ConfigurationCheck.RefusedExitCode;
        }
        if (services.GetService<IKeyScan>() is not { } scan)
        {
            await output.WriteLineAsync($"{Name}: nothing to do: the store is the in-memory one (Redis__Configuration is 'memory' or empty), " +
                                        "which lives inside each server process and indexes every user it holds.");
            return 0;
        }
        var time = services.GetRequiredService<TimeProvider>();
        try
        {
            await services.GetRequiredService<IStateStore>().PingAsync();
            var fallback = time.GetUtcNow();
            await output.WriteLineAsync($"{Name}: scanning {string.Join(", ", scan.Masters())} for the users of " +
                                        (TenantId is null ? "every configured tenant" : $"tenant {TenantId}") +
                                        $"; a user with no timestamp at all is dated {Format(fallback)} (now)");
            var counts = await BackfillAsync(scan, services.GetRequiredService<UserStore>(), tenants, fallback);
            foreach (var tenant in tenants.All.Where(t => TenantId is null || t.Id == TenantId).OrderBy(t => t.Id, StringComparer.Ordinal))
            {
                await output.WriteLineAsync($"{tenant.Id}: {counts.For(tenant.Id)}");
            }
            await output.WriteLineAsync($"total: {counts.Total} unconfigured={counts.Unconfigured}");
            foreach (var key in counts.UnreadableKeys.Take(10))
            {
                await error.WriteLineAsync($"{Name}: {key} is not a user document this version reads; left alone.");
            }
            return 0;
        }
        catch (StoreUnavailableException e)
        {
            await error.WriteLineAsync($"{Name}: {e.Message}");
            return StoreUnavailableExitCode;
        }
    }

    private async Task<BackfillCounts> BackfillAsync(IKeyScan scan, UserStore users, TenantRegistry tenants, DateTimeOffset fallback)
    {
        var counts = new BackfillCounts();
        var pattern = TenantId is null ? "u:{*}:profile" : $"u:{{{KeyPattern.Literal(HashTags.Escape(TenantId))}:*}}:profile";
        await Parallel.ForEachAsync(scan.ScanAsync(pattern), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (key, _) =>
        {
            if (UserOf(key) is not { } user || (TenantId is not null && user.TenantId != TenantId))
            {
                return;
            }
            if (tenants.FindById(user.TenantId) is null)
            {
                counts.CountUnconfigured();
                return;
            }
            try
            {
                counts.Count(user.TenantId, await users.BackfillIndexAsync(user.TenantId, user.UserId, fallback));
            }
            catch (JsonException)
            {
                counts.CountUnreadable(user.TenantId, key);
            }
        });
        return counts;
    }

    /// <summary>The tenant and user whose document <paramref name="key"/> is; null for a key that only looks like one.</summary>
    private static (string TenantId, string UserId)? UserOf(string key)
    {
        const string start = "u:{";
        var close = key.IndexOf('}', StringComparison.Ordinal);
        if (!key.StartsWith(start, StringComparison.Ordinal) || close < 0 || key[close..] != "}:profile")
        {
            return null;
        }
        var ids = key[start.Length..close].Split(':');
        if (ids.Length != 2)
        {
            return null;
        }
        var (tenantId, userId) = (HashTags.Unescape(ids[0]), HashTags.Unescape(ids[1]));
        return UserStore.KeyOf(tenantId, userId) == key ? (tenantId, userId) : null;
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>What the backfill did, per tenant; counted from many workers at once.</summary>
    private sealed class BackfillCounts
    {
        private readonly Dictionary<string, int[]> _byTenant = new(StringComparer.Ordinal);
        private readonly List<string> _unreadable = [];
        private readonly Lock _lock = new();
        private int _unconfigured;

        /// <summary>Counted per outcome, in the order of <see cref="IndexBackfill"/>, then unreadable documents.</summary>
        private static readonly int Unreadable = Enum.GetValues<IndexBackfill>().Length;

        public int Unconfigured => _unconfigured;

        public IReadOnlyList<string> UnreadableKeys => _unreadable;

        public string Total => Describe(_byTenant.Values.Aggregate(new int[Unreadable + 1], (sum, c) => [.. sum.Zip(c, (a, b) => a + b)]));

        public string For(string tenantId) => Describe(_byTenant.GetValueOrDefault(tenantId) ?? new int[Unreadable + 1]);

        public void Count(string tenantId, IndexBackfill outcome) => Add(tenantId, (int)outcome);

        public void CountUnreadable(string tenantId, string key)
        {
            Add(tenantId, Unreadable);
            lock (_lock)
            {
                _unreadable.Add(key);
            }
        }

        public void CountUnconfigured() => Interlocked.Increment(ref _unconfigured);

        private void Add(string tenantId, int slot)
        {
            lock (_lock)
            {
                if (!_byTenant.TryGetValue(tenantId, out var counts))
                {
                    _byTenant[tenantId] = counts = new int[Unreadable + 1];
                }
                counts[slot]++;
            }
        }

        private static string Describe(int[] c) => string.Create(CultureInfo.InvariantCulture,
            $"added={c[(int)IndexBackfill.Added] + c[(int)IndexBackfill.Dated]} (dated={c[(int)IndexBackfill.Dated]}) " +
            $"present={c[(int)IndexBackfill.Present]} deleted={c[(int)IndexBackfill.Deleted]} unreadable={c[Unreadable]}");
    }
}
