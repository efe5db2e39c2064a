using System.Globalization;
using System.Text.RegularExpressions;

namespace Challenges.Benchmarks.Load;

/// <summary>Reads the numbers the report needs from Redis: command counts, memory, and key families.</summary>
internal static partial class RedisProbe
{
    /// <summary>Commands the generator itself sends; left out of the server's command counts.</summary>
    private static readonly HashSet<string> OwnCommands =
        ["info", "scan", "memory|usage", "memory", "dbsize", "monitor", "echo", "auth", "config|get", "hello"];

    /// <summary>Calls per command from <c>INFO commandstats</c>, without the generator's own commands.</summary>
    public static async Task<Dictionary<string, long>> CommandCallsAsync(RespClient redis)
    {
        var text = (string?)await redis.CommandAsync("INFO", "commandstats") ?? "";
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match m in CommandStat().Matches(text))
        {
            var name = m.Groups[1].Value;
            if (!OwnCommands.Contains(name))
            {
                calls[name] = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }
        return calls;
    }

    public static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.Select(kv => (kv.Key, Calls: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(x => x.Calls > 0).ToDictionary(x => x.Key, x => x.Calls, StringComparer.Ordinal);

    public static async Task<long> UsedMemoryAsync(RespClient redis)
    {
        var text = (string?)await redis.CommandAsync("INFO", "memory") ?? "";
        var m = UsedMemory().Match(text);
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Key counts per family (ids collapsed), and up to <paramref name="sample"/> key names per family.</summary>
    public static async Task<Dictionary<string, KeyFamily>> KeyFamiliesAsync(RespClient redis, int sample)
    {
        var families = new Dictionary<string, KeyFamily>(StringComparer.Ordinal);
        var cursor = "0";
        do
        {
            var reply = (object?[])(await redis.CommandAsync("SCAN", cursor, "COUNT", "1000"))!;
            cursor = (string)reply[0]!;
            foreach (var key in ((object?[])reply[1]!).Cast<string>())
            {
                var name = FamilyOf(key);
                if (!families.TryGetValue(name, out var family))
                {
                    families[name] = family = new KeyFamily(name);
                }
                family.Count++;
                if (family.Samples.Count < sample)
                {
                    family.Samples.Add(key);
                }
            }
        }
        while (cursor != "0");
        return families;
    }

    /// <summary>Average <c>MEMORY USAGE</c> of a family's sampled keys.</summary>
    public static async Task<double> AverageUsageAsync(RespClient redis, KeyFamily family)
    {
        long total = 0;
        var n = 0;
        foreach (var key in family.Samples)
        {
            if (await redis.CommandAsync("MEMORY", "USAGE", key) is long bytes)
            {
                total += bytes;
                n++;
            }
        }
        return n == 0 ? 0 : (double)total / n;
    }

    /// <summary>
    /// A key's family: the hash-tagged ids collapsed to <c>{…}</c> (a rate window keeps its rule name), and id-like
    /// segments after the tag (long or numeric) collapsed to <c>*</c>, e.g. <c>u:{…}:a:*:*</c>.
    /// </summary>
    public static string FamilyOf(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        var close = key.IndexOf('}', StringComparison.Ordinal);
        if (open < 0 || close < open)
        {
            return key.Length > 24 ? key[..24] + "…" : key;
        }
        var prefix = key[..open];
        var tag = key[(open + 1)..close].Split(':');
        var inner = prefix.EndsWith("r:", StringComparison.Ordinal) && tag.Length > 2 ? "{…:" + tag[1] + ":…}" : "{…}";
        var suffix = string.Join(':', key[(close + 1)..].Split(':')
            .Select(s => s.Length > 12 || (s.Length > 0 && s.All(char.IsAsciiDigit)) ? "*" : s));
        return prefix + inner + suffix;
    }

    [GeneratedRegex(@"^cmdstat_([^:]+):calls=(\d+)", RegexOptions.Multiline)]
    private static partial Regex CommandStat();

    [GeneratedRegex(@"^used_memory:(\d+)", RegexOptions.Multiline)]
    private static partial Regex UsedMemory();
}

internal sealed class KeyFamily(string name)
{
    public string Name { get; } = name;
    public long Count { get; set; }
    public List<string> Samples { get; } = [];
}
