using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, started for the tests. It can be stopped and started again on
/// the same port to test outages. Without redis-server on the PATH the tests fail with a message saying how to get it.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;
    private readonly string _directory = Directory.CreateTempSubdirectory("challenges-redis-").FullName;

    /// <summary>
    /// Ports are taken from below Linux's ephemeral range (32768–60999), so no outgoing connection of a parallel test
    /// can be given one between the check and the listener's bind; a cluster node's bus port (its port + 10000, in
    /// 22000–31999) stays below that range too, and apart from the ports handed out.
    /// </summary>
    private const int LowestPort = 12000;
    private const int HighestPort = 21999;
    private const int ClusterBusOffset = 10000;

    public RedisServer(params string[] extraArguments)
    {
        ExtraArguments = extraArguments;
        var cluster = extraArguments.Contains("--cluster-enabled");
        // A port another test bound between the check and redis-server's bind: redis-server exits, and another is tried.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort(cluster);
            try
            {
                Start();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && _process is { HasExited: true })
            {
                _process.Dispose();
                _process = null;
            }
        }
    }

    public int Port { get; private set; }
    public string[] ExtraArguments { get; }
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Every port handed out in this run: a port is often bound seconds after it is chosen, and never twice.</summary>
    private static readonly ConcurrentDictionary<int, bool> Given = new();

    /// <summary>A free loopback port (and, for a cluster node, its bus port free as well), never one handed out before.</summary>
    public static int FreePort(bool withClusterBus = false)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var port = Random.Shared.Next(LowestPort, HighestPort + 1);
            if (IsFree(port) && (!withClusterBus || IsFree(port + ClusterBusOffset)) && Given.TryAdd(port, true))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port between {LowestPort} and {HighestPort}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static string Executable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException(
            "redis-server was not found on the PATH. The integration tests need a real Redis: install it with " +
            "'apt-get install -y redis-server' (the README's test command does this for you).");
    }

    public void Start()
    {
        var arguments = new List<string>
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", _directory, "--protected-mode", "yes",
        };
        arguments.AddRange(ExtraArguments);
        var info = new ProcessStartInfo(Executable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntil(accepting: true);
    }

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        _process = null;
        WaitUntil(accepting: false);
    }

    private void WaitUntil(bool accepting)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            // Exited first: a redis-server that could not bind must not pass for one another test started on that port.
            if (accepting && _process is { HasExited: true })
            {
                throw new InvalidOperationException($"redis-server on port {Port} exited at start (code {_process.ExitCode}).");
            }
            if (Accepts() == accepting && !(accepting && _process is { HasExited: true }))
            {
                return;
            }
            Thread.Sleep(20);
        }
        throw new InvalidOperationException($"redis-server on port {Port} did not {(accepting ? "start" : "stop")} in time.");
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            stream.ReadTimeout = 500;
            var n = stream.Read(buffer);
            // "-NOAUTH": up, with a password on the default user (the ACL tests).
            return n > 0 && (buffer[0] == (byte)'+' || buffer.AsSpan(0, n).StartsWith("-NOAUTH"u8));
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        return ValueTask.CompletedTask;
    }
}
