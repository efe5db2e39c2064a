using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>One notification as a fake push service accepted it for checking (its request passed the service's rules).</summary>
/// <param name="DeviceToken">The token the notification was for.</param>
/// <param name="Credential">The provider token (APNs) or OAuth2 access token (FCM) it carried.</param>
/// <param name="Headers">Its <c>apns-*</c> headers (none for FCM).</param>
/// <param name="Body">The payload (APNs) or the <c>message</c> (FCM).</param>
/// <param name="Protocol">The HTTP version it arrived over.</param>
public sealed record FakeNotification(string DeviceToken, string Credential, IReadOnlyDictionary<string, string> Headers, JsonElement Body, string Protocol)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>An answer a test scripts for a device token: a status, a JSON body, headers.</summary>
public sealed record FakeAnswer(int Status, string Body = "{}", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A push service on a loopback port, run by Kestrel: a subclass checks each request as the real service does and
/// refuses what it would refuse; the tests script per device token what the service answers next (success once the
/// script runs out), can hold requests to watch how many are in flight, and read what arrived.
/// </summary>
public abstract class PushServiceFake : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeAnswer>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeNotification> _received = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly Lock _flightLock = new();
    private TaskCompletionSource _gate = Opened();
    private int _inFlight;

    protected PushServiceFake(HttpProtocols protocols)
    {
        Port = RedisServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port, listen => listen.Protocols = protocols));
        _app = builder.Build();
        _app.Run(HandleAsync);
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public int Port { get; }
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    /// <summary>Notifications that passed the service's checks, in order of arrival (whatever was answered).</summary>
    public IReadOnlyList<FakeNotification> Received => [.. _received];

    /// <summary>What the service refused because the request broke its rules (a wrong header, a bad signature…).</summary>
    public IReadOnlyList<string> Problems => [.. _problems];

    /// <summary>The most notifications held in flight at once.</summary>
    public int PeakInFlight { get; private set; }

    public int InFlight
    {
        get
        {
            lock (_flightLock)
            {
                return _inFlight;
            }
        }
    }

    public IReadOnlyList<FakeNotification> For(string deviceToken) => Received.Where(n => n.DeviceToken == deviceToken).ToList();

    /// <summary>The next answers to notifications for <paramref name="deviceToken"/>; then success.</summary>
    public void Script(string deviceToken, params FakeAnswer[] answers)
    {
        var queue = _scripts.GetOrAdd(deviceToken, _ => new ConcurrentQueue<FakeAnswer>());
        foreach (var answer in answers)
        {
            queue.Enqueue(answer);
        }
    }

    /// <summary>Holds every notification before its answer until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    /// <summary>Waits (in real time) until <paramref name="condition"/> holds; fails the test after 10 seconds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(10);
        }
    }

    /// <summary>Checks a request; returns the notification to record and answer, or writes the service's refusal and returns null.</summary>
    protected abstract Task<FakeNotification?> CheckAsync(HttpContext context);

    /// <summary>The answer to a notification when no script says otherwise.</summary>
    protected abstract FakeAnswer Success(FakeNotification notification);

    /// <summary>Records a broken rule and answers as the service would.</summary>
    protected async Task<FakeNotification?> RefuseAsync(HttpContext context, string problem, FakeAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(answer);
        _problems.Enqueue(problem);
        await WriteAsync(context, answer);
        return null;
    }

    protected static async Task WriteAsync(HttpContext context, FakeAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(answer);
        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.Body);
    }

    protected static async Task<JsonElement?> ReadJsonAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var notification = await CheckAsync(context);
        if (notification is null)
        {
            return;
        }
        _received.Enqueue(notification);
        lock (_flightLock)
        {
            _inFlight++;
            PeakInFlight = Math.Max(PeakInFlight, _inFlight);
        }
        try
        {
            await _gate.Task;
        }
        finally
        {
            lock (_flightLock)
            {
                _inFlight--;
            }
        }
        var answer = _scripts.TryGetValue(notification.DeviceToken, out var queue) && queue.TryDequeue(out var next) ? next : Success(notification);
        await WriteAsync(context, answer);
    }

    private static TaskCompletionSource Opened()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
