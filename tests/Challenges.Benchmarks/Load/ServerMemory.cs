using System.Globalization;

namespace Challenges.Benchmarks.Load;

/// <summary>
/// The server process's memory from <c>/proc/&lt;pid&gt;/status</c> (Linux): VmHWM is the peak resident set, VmRSS the
/// current one. The pid is given, or found as the process that listens on the server's TCP port.
/// </summary>
internal sealed class ServerMemory(int pid)
{
    private readonly List<(TimeSpan At, long RssKiB)> _samples = [];

    public int Pid { get; } = pid;

    public IReadOnlyList<(TimeSpan At, long RssKiB)> Samples => _samples;

    public static ServerMemory? Find(int? pid, int port)
    {
        if (pid is { } given)
        {
            return File.Exists($"/proc/{given}/status") ? new ServerMemory(given) : null;
        }
        var found = ListenerPid(port);
        return found is null ? null : new ServerMemory(found.Value);
    }

    public long? Read(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    /// <summary>Samples VmRSS every half second until cancelled.</summary>
    public async Task SampleAsync(CancellationToken cancel)
    {
        var start = DateTime.UtcNow;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                if (Read("VmRSS") is { } rss)
                {
                    lock (_samples)
                    {
                        _samples.Add((DateTime.UtcNow - start, rss));
                    }
                }
                await Task.Delay(500, cancel);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The pid owning the listening socket on <paramref name="port"/>: /proc/net/tcp* gives the inode, /proc/*/fd its owner.</summary>
    private static int? ListenerPid(int port)
    {
        var hexPort = port.ToString("X4", CultureInfo.InvariantCulture);
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // local_address is ip:port in hex; state 0A is LISTEN; field 9 is the inode.
                if (f.Length > 9 && f[1].EndsWith(":" + hexPort, StringComparison.Ordinal) && f[3] == "0A")
                {
                    inodes.Add($"socket:[{f[9]}]");
                }
            }
        }
        if (inodes.Count == 0)
        {
            return null;
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate))
            {
                continue;
            }
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target))
                    {
                        return candidate;
                    }
                }
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                // Another user's process, or one that just ended.
            }
        }
        return null;
    }
}
