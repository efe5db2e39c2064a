using Challenges.Api.Delivery;
using Challenges.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Health;

/// <summary>Liveness (the process answers) and readiness (the store answers).</summary>
public static class HealthEndpoints
{
    public sealed record HealthResponse(string Status, string? Store = null, long? OutboxBacklog = null);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", Live).WithSummary("The process is up.");
        health.MapGet("/ready", Ready).WithSummary("The process can reach its store.");
        return app;
    }

    public static Ok<HealthResponse> Live() => TypedResults.Ok(new HealthResponse("Healthy"));

    /// <summary>Ready when the store answers; <c>outboxBacklog</c> counts users with lifecycle events not yet delivered.</summary>
    public static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> Ready(IStateStore store, IWorkQueue queue)
    {
        try
        {
            await store.PingAsync();
            return TypedResults.Ok(new HealthResponse("Healthy", "up", await OutboxWorker.BacklogAsync(queue)));
        }
        catch (StoreUnavailableException)
        {
            return TypedResults.Json(new HealthResponse("Unhealthy", "unreachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
