using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Challenges.Benchmarks.Load;

/// <summary>Sends one contract request, records its latency under an endpoint name, and reads the JSON answer.</summary>
internal sealed class ApiClient(HttpClient http, Recorder recorder)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Where latencies go; each phase of a run swaps in its own.</summary>
    public Recorder Recorder { get; set; } = recorder;

    /// <summary>The scenario whose lifecycle is running on this async flow; its request count goes up with each answer.</summary>
    public static AsyncLocal<ScenarioCounters?> CurrentScenario { get; } = new();

    /// <summary>Called around each request by the Redis round-trip probe; null during load.</summary>
    public IRequestObserver? Observer { get; set; }

    public async Task<JsonElement> SendAsync(string endpoint, HttpMethod method, string path, AuthenticationHeaderValue? auth,
        object? body, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = auth;
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json");
        }
        if (Observer is not null)
        {
            await Observer.BeforeAsync(endpoint);
        }
        var started = Stopwatch.GetTimestamp();
        HttpStatusCode status;
        byte[] content;
        try
        {
            using var response = await http.SendAsync(request, cancel);
            status = response.StatusCode;
            content = await response.Content.ReadAsByteArrayAsync(cancel);
        }
        catch (HttpRequestException e)
        {
            Recorder.Request(endpoint, Stopwatch.GetElapsedTime(started), "transport: " + e.HttpRequestError);
            throw new LifecycleFailedException($"{endpoint}: transport error {e.HttpRequestError}");
        }
        var latency = Stopwatch.GetElapsedTime(started);
        CurrentScenario.Value?.CountRequest();
        if (Observer is not null)
        {
            await Observer.AfterAsync(endpoint);
        }
        if (status == HttpStatusCode.OK)
        {
            Recorder.Request(endpoint, latency, null);
            using var document = JsonDocument.Parse(content);
            return document.RootElement.Clone();
        }
        var (code, description) = ErrorOf(content);
        Recorder.Request(endpoint, latency, $"{(int)status} {code}");
        // The server answers an unknown route with 404 "No route matches ..." (or 405 when only the verb differs):
        // that means the feature is not on this build, which is not a failure of the server under load.
        if (status == HttpStatusCode.MethodNotAllowed ||
            (status == HttpStatusCode.NotFound && description.StartsWith("No route matches", StringComparison.Ordinal)))
        {
            throw new FeatureMissingException($"endpoint not found: feature not deployed ({method} {path.Split('?')[0]} answered {(int)status})");
        }
        throw new LifecycleFailedException($"{endpoint}: {(int)status} {code}");
    }

    private static (string Code, string Description) ErrorOf(byte[] content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            return (root.TryGetProperty("error", out var e) ? e.GetString() ?? "" : "",
                root.TryGetProperty("errorDescription", out var d) ? d.GetString() ?? "" : "");
        }
        catch (JsonException)
        {
            return ("(no JSON body)", "");
        }
    }
}

internal interface IRequestObserver
{
    Task BeforeAsync(string endpoint);
    Task AfterAsync(string endpoint);
}

/// <summary>A lifecycle went wrong (unexpected status or answer); counted, and the virtual user goes on.</summary>
internal sealed class LifecycleFailedException(string message) : Exception(message);

/// <summary>The server has no such route: the scenario stops and the report says the feature is not deployed.</summary>
internal sealed class FeatureMissingException(string message) : Exception(message);
