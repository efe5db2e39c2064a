using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>One request as a real HTTP listener received it.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// A real HTTP server on a loopback port that records every request and answers with <see cref="Respond"/>
/// (200 by default): the tenant's webhook receiver, or a provider's API, in the tests.
/// </summary>
public sealed class WebhookListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public WebhookListener()
    {
        Port = RedisServer.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            var request = new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray());
            _received.Enqueue(request);
            _arrived.Release();
            var (status, text) = Respond(request);
            context.Response.StatusCode = status;
            foreach (var (name, value) in ResponseHeaders(request))
            {
                context.Response.Headers[name] = value;
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(text);
        });
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public int Port { get; }
    public Uri Url => new($"http://127.0.0.1:{Port}/webhook");
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    /// <summary>How to answer each request; replace it in a test to make the receiver fail.</summary>
    public Func<ReceivedRequest, (int Status, string Body)> Respond { get; set; } = _ => (200, "{}");

    /// <summary>Headers to answer with (e.g. a <c>Location</c> that points elsewhere).</summary>
    public Func<ReceivedRequest, IEnumerable<KeyValuePair<string, string>>> ResponseHeaders { get; set; } = _ => [];

    public IReadOnlyList<ReceivedRequest> Received => [.. _received];

    /// <summary>Waits for the first request (already received or still to come) that matches.</summary>
    public async Task<ReceivedRequest> WaitForAsync(Func<ReceivedRequest, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var found = _received.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("The listener did not receive the expected request in time.");
            }
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }
}
