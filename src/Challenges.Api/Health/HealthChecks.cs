using System.Text.Json;
using Challenges.Api.Http;
using Challenges.Api.Storage;
using Challenges.Api.Users;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Challenges.Api.Health;

/// <summary>
/// Liveness (the process answers) and readiness (the store answers; the outbox backlog is reported beside it) on the
/// framework's health checks. Bodies: <c>{"status":"Healthy"}</c>, <c>{"status":"Healthy","store":"up","outboxBacklog":0}</c>,
/// or 503 with <c>{"status":"Unhealthy","store":"unreachable"}</c>.
/// </summary>
public static class HealthChecks
{
    private const string Ready = "ready";
    private const string Store = "store";
    private const string Outbox = "outbox";
    private const string Backlog = "backlog";

    public sealed record HealthResponse(string Status, string? Store = null, long? OutboxBacklog = null);

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<StoreCheck>(Store, tags: [Ready])
            .AddCheck<OutboxCheck>(Outbox, tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync })
            .AllowAnonymous();
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var healthy = report.Status != HealthStatus.Unhealthy;
        var store = report.Entries.TryGetValue(Store, out var s) ? (s.Status == HealthStatus.Healthy ? "up" : "unreachable") : null;
        long? backlog = healthy && report.Entries.TryGetValue(Outbox, out var o) && o.Data.TryGetValue(Backlog, out var b) ? (long)b : null;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(
            new HealthResponse(healthy ? "Healthy" : "Unhealthy", store, backlog), JsonDefaults.Options));
    }

    /// <summary>The store answers a ping (on a cluster, every master does).</summary>
    private sealed class StoreCheck(IStateStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.PingAsync();
                return HealthCheckResult.Healthy();
            }
            catch (StoreUnavailableException e)
            {
                return HealthCheckResult.Unhealthy(e.Message);
            }
        }
    }

    /// <summary>Users with lifecycle events not yet delivered: reported, never a reason to take the node out.</summary>
    private sealed class OutboxCheck(UserStore users) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var (backlog, _) = await users.OutboxStatusAsync();
                return HealthCheckResult.Healthy(data: new Dictionary<string, object> { [Backlog] = backlog });
            }
            catch (StoreUnavailableException e)
            {
                return HealthCheckResult.Unhealthy(e.Message);
            }
        }
    }
}
