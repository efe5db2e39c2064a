namespace Challenges.Api.Health;

/// <summary>
/// <c>dotnet Challenges.Api.dll --healthcheck [path]</c>: asks the running server on this machine for its health and
/// exits 0 when it answers 200. Container images have no curl; this is their health check.
/// </summary>
public static class HealthProbe
{
    public const string Argument = "--healthcheck";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var index = Array.IndexOf(args, Argument);
        var path = index + 1 < args.Length ? args[index + 1] : "/health/live";
        var port = Environment.GetEnvironmentVariable("HEALTHCHECK_PORT") ?? "8080";
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 1;
        }
    }
}
