using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Challenges.Benchmarks.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Challenges.Benchmarks.Load;

/// <summary>
/// The tenant's webhook receiver on a loopback port (Kestrel): it answers every event with 200 and hands the code of
/// each <c>sms.created</c> / <c>email.created</c> to the virtual user waiting for it.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _events = new(StringComparer.Ordinal);

    public WebhookReceiver(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.Run(ReceiveAsync);
        Port = port;
    }

    public int Port { get; }

    public IReadOnlyDictionary<string, long> Events => _events;

    /// <summary>Codes and push challenges for the endpoint stages, from every event received.</summary>
    public ChainWebhooks Chain { get; } = new();

    public Task StartAsync() => _app.StartAsync();

    /// <summary>The code sent for (user, action idempotency key); register before starting the challenge.</summary>
    public Task<string> CodeFor(string userId, string idempotencyKey) =>
        _codes.GetOrAdd(Key(userId, idempotencyKey), _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(string userId, string idempotencyKey) => _codes.TryRemove(Key(userId, idempotencyKey), out _);

    private async Task ReceiveAsync(HttpContext context)
    {
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        var root = document.RootElement;
        var type = root.TryGetProperty("type", out var t) ? t.GetString() ?? "?" : "?";
        _events.AddOrUpdate(type, 1, (_, n) => n + 1);
        Chain.Accept(root);
        if (type is "sms.created" or "email.created" && root.TryGetProperty("data", out var data) &&
            data.TryGetProperty("code", out var code) && data.TryGetProperty("userId", out var user) &&
            data.TryGetProperty("idempotencyKey", out var key))
        {
            // Server-initiated challenges (the pending-memory phase) nobody waits for; their codes are dropped.
            if (_codes.TryGetValue(Key(user.GetString()!, key.GetString()!), out var waiter))
            {
                waiter.TrySetResult(code.GetString()!);
            }
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{}");
    }

    private static string Key(string userId, string idempotencyKey) => userId + "\n" + idempotencyKey;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
