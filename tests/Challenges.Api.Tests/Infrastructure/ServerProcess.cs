using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>How a <see cref="ServerProcess"/> is started besides its settings.</summary>
/// <param name="WorkingDirectory">Where the process starts (default: the directory of the binaries).</param>
/// <param name="VerboseLogs">Information logs for every category, so tests can read what happened; off: appsettings.json decides.</param>
/// <param name="ExtraPorts">More loopback ports to listen on besides <see cref="ServerProcess.Port"/>.</param>
/// <param name="ReadyPath">What must answer 200 before the process counts as started.</param>
public sealed record ServerProcessOptions(string? WorkingDirectory = null, bool VerboseLogs = true, IReadOnlyList<int>? ExtraPorts = null,
    string ReadyPath = "/health/ready");

/// <summary>What a server that refused to start printed, and its exit code.</summary>
public sealed record Refusal(string Output, int ExitCode);

/// <summary>
/// The API as a real operating-system process (<c>dotnet Challenges.Api.dll</c>) on a free loopback port, configured by
/// environment variables as an operator would. Its console output is captured; <see cref="Kill"/> is a SIGKILL.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();
    private readonly Dictionary<string, string> _environment;
    private readonly ServerProcessOptions _options;
    private Process? _process;

    public ServerProcess(IReadOnlyDictionary<string, string?> settings, ServerProcessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _options = options ?? new ServerProcessOptions();
        Port = RedisServer.FreePort();
        _environment = EnvironmentOf(settings);
        _environment["ASPNETCORE_URLS"] = string.Join(';', new[] { Port }.Concat(_options.ExtraPorts ?? []).Select(p => $"http://127.0.0.1:{p}"));
        _environment.TryAdd("ASPNETCORE_ENVIRONMENT", "Production");
        if (_options.VerboseLogs)
        {
            _environment["Logging__LogLevel__Default"] = "Information";
            _environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Information";
            // appsettings.json turns the per-request category off; the tests read its lines.
            _environment["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information";
        }
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Settings as an operator sets them: environment variables, <c>:</c> written <c>__</c>.</summary>
    private static Dictionary<string, string> EnvironmentOf(IReadOnlyDictionary<string, string?> settings) =>
        settings.Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

    /// <summary>
    /// Runs a maintenance command of the server (<c>dotnet Challenges.Api.dll reindex-users …</c>) to its end, configured
    /// like a server (Production unless the settings say otherwise); returns its exit code and everything it printed.
    /// </summary>
    public static Task<(int Exit, string Output)> RunCommandAsync(IReadOnlyDictionary<string, string?> settings, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var environment = EnvironmentOf(settings);
        environment.TryAdd("ASPNETCORE_ENVIRONMENT", "Production");
        return CommandLine.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Challenges.Api.dll"), .. arguments], environment);
    }

    /// <summary>Everything the process wrote to stdout and stderr, across restarts.</summary>
    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, ServerProcessOptions? options = null)
    {
        var server = new ServerProcess(settings, options);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _options.WorkingDirectory ?? AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Challenges.Api.dll"));
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }
        _process = Process.Start(info) ?? throw new InvalidOperationException("The server process did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server process exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                // Ready, not just live: on a cluster every master must answer before the tests start.
                using var response = await client.GetAsync(new Uri(Url + _options.ReadyPath));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"The server process did not answer in time:\n{Output}");
    }

    /// <summary>
    /// Starts a server that must refuse to start; returns what it printed before it exited. A server that starts
    /// fails the test.
    /// </summary>
    public static async Task<string> RefusalAsync(IReadOnlyDictionary<string, string?> settings) => (await RefuseAsync(settings)).Output;

    /// <summary>As <see cref="RefusalAsync"/>, with the exit code.</summary>
    public static async Task<Refusal> RefuseAsync(IReadOnlyDictionary<string, string?> settings, ServerProcessOptions? options = null)
    {
        var server = new ServerProcess(settings, options);
        try
        {
            await server.StartAsync();
        }
        catch (InvalidOperationException) when (server._process is { HasExited: true } exited)
        {
            // Without a timeout, WaitForExit also waits for the redirected output to be read to its end.
            exited.WaitForExit();
            return new Refusal(server.Output, exited.ExitCode);
        }
        finally
        {
            server.Kill();
        }
        throw new InvalidOperationException("The server started although its configuration is invalid.");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_outputLock)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks run, in-flight work is lost as in a crash.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        _process = null;
    }

    public HttpClient Client(string? basicSecret = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };
        if (basicSecret is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(basicSecret + ":")));
        }
        return client;
    }

    /// <summary>A client with a client token.</summary>
    public HttpClient BearerClient(string token)
    {
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A new device with a fresh P-256 key, speaking the mobile wire format to this process.</summary>
    public Challenges.Device.DeviceClient NewDevice(string tenantId) =>
        new(Client(), tenantId, Challenges.Device.DeviceClient.NewKey());

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }
}
