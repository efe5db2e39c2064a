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

    public RedisServer(params string[] extraArguments)
    {
        ExtraArguments = extraArguments;
        Port = FreePort();
        Start();
    }

    public int Port { get; }
    public string[] ExtraArguments { get; }
    public string Configuration => $"127.0.0.1:{Port}";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
            if (Accepts() == accepting)
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
