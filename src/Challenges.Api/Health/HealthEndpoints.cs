using Challenges.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Health;

/// <summary>Liveness (the process answers) and readiness (the store answers).</summary>
public static class HealthEndpoints
{
    public sealed record HealthResponse(string Status, string? Store = null);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", Live).WithSummary("The process is up.");
        health.MapGet("/ready", Ready).WithSummary("The process can reach its store.");
        return app;
    }

    public static Ok<HealthResponse> Live() => TypedResults.Ok(new HealthResponse("Healthy"));

    public static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> Ready(IStateStore store)
    {
        try
        {
            await store.PingAsync();
            return TypedResults.Ok(new HealthResponse("Healthy", "up"));
        }
        catch (StoreUnavailableException)
        {
            return TypedResults.Json(new HealthResponse("Unhealthy", "unreachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
